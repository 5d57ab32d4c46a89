package appfile

// spec is how the REST API creates, changes and lists one kind of resource,
// in Losant's paths and body fields.
type spec struct {
	// collection is the path of the kind's list below the application
	// ("/devices"); {flowId} and the like name a field of the document
	// whose resolved id goes there.
	collection string
	// schema names the body schemas: schema+"Post" and schema+"Patch".
	schema string
	// fields are the body fields Losant's create action takes; nil: every
	// field of the document but the export's own (id, exportHash, …).
	fields []string
	// patchOnly: the resource always exists and is changed, not created
	// (an experience version: PATCH collection/{version}).
	patchOnly bool
}

// specs are the kinds an import creates, in the order it creates them:
// what a resource references comes before it (recipes and devices, tables
// and webhooks before the flows using them; groups before the users in them;
// views before the endpoints replying with them; custom nodes before the
// flows calling them). References the order cannot satisfy (a group tagged
// with its own id, a flow's button key holding its own id) are set by a
// PATCH once every resource exists.
var specs = []struct {
	kind string
	spec
}{
	{KindDeviceRecipe, spec{collection: "/device-recipes", schema: "deviceRecipe", fields: []string{
		"name", "description", "deviceName", "deviceDescription", "tags", "attributes", "deviceClass", "gatewayId", "parentId",
		"systemInterval", "keepDuplicates"}}},
	{KindDevice, spec{collection: "/devices", schema: "device", fields: []string{
		"name", "description", "tags", "attributes", "deviceClass", "gatewayId", "parentId", "systemInterval", "keepDuplicates"}}},
	{KindDataTable, spec{collection: "/data-tables", schema: "dataTable", fields: []string{"name", "description", "columns"}}},
	{KindWebhook, spec{collection: "/webhooks", schema: "webhook", fields: []string{
		"name", "responseCode", "verificationType", "verificationCode", "basicAuthUsername", "basicAuthPassword", "waitForReply", "isWebsocket"}}},
	{KindExperienceGroup, spec{collection: "/experience/groups", schema: "experienceGroup", fields: []string{
		"name", "description", "groupTags", "deviceIds", "deviceTags", "deviceQueryJson", "parentId"}}},
	{KindExperienceUser, spec{collection: "/experience/users", schema: "experienceUser", fields: []string{
		"email", "firstName", "lastName", "password", "tokenCutoff", "userTags", "experienceGroupIds"}}},
	{KindExperienceVersion, spec{collection: "/experience/versions", schema: "experienceVersion", patchOnly: true, fields: []string{
		"description", "globals", "endpointDefaultCors", "unauthorizedReply"}}},
	{KindExperienceView, spec{collection: "/experience/views", schema: "experienceView", fields: []string{
		"name", "description", "viewType", "layoutId", "body", "viewTags", "headers"}}},
	{KindExperienceEndpoint, spec{collection: "/experience/endpoints", schema: "experienceEndpoint", fields: []string{
		"route", "method", "description", "enabled", "access", "endpointTags", "experienceGroupIds", "staticReply", "unauthorizedReply",
		"enableStaticReplyIfFlowsUnavailable"}}},
	{KindFile, spec{collection: "/files", schema: "file", fields: []string{"name", "parentDirectory", "type", "fileSize", "contentType"}}},
	{KindFlow, spec{collection: "/flows", schema: "flow", fields: []string{
		"name", "description", "shortDescription", "iconData", "docsUrl", "category", "enabled", "triggers", "nodes", "globals",
		"flowClass", "minimumAgentVersion", "customNodeConfig", "customNodeSupports", "weir"}}},
	{KindFlowVersion, spec{collection: "/flows/{flowId}/versions", schema: "flowVersion", fields: []string{
		"version", "notes", "enabled", "triggers", "nodes", "globals", "minimumAgentVersion", "customNodeConfig"}}},
	{KindDashboard, spec{collection: "/dashboards", schema: "applicationDashboard"}},
	{KindNotebook, spec{collection: "/notebooks", schema: "notebook"}},
	{KindResourceJob, spec{collection: "/resource-jobs", schema: "resourceJob"}},
}

// notRun are the kinds weir keeps, so that an export writes them back,
// but does not run: dashboards, notebooks and resource jobs.
var notRun = map[string]bool{KindDashboard: true, KindNotebook: true, KindResourceJob: true}

// specOf returns the spec of kind.
func specOf(kind string) (spec, bool) {
	for _, s := range specs {
		if s.kind == kind {
			return s.spec, true
		}
	}
	return spec{}, false
}

// exportFields are the fields an export adds that no create action takes.
var exportFields = map[string]bool{
	"id": true, "exportHash": true, "localFilename": true, "children": true, "flowId": true,
	"applicationId": true, "creationDate": true, "lastUpdated": true,
}
