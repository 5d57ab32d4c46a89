package http

import "net/http"

// route is one REST action: its scopes.json name, method and path pattern,
// declared query parameters, body and handler.
type route struct {
	action string // "resource.action", the key into scopes.json
	method string
	path   string
	query  []queryParam
	body   *bodySpec // nil: the action takes no body (any body is ignored)
	handle func(w http.ResponseWriter, r *http.Request, req *request) error
}

// bodySpec names an action's body parameter (the prefix of its Validation
// messages) and the schema the body must satisfy.
type bodySpec struct {
	param    string
	schema   string
	required bool
	// multipart: the body is a multipart form holding param as a file,
	// which the handler reads; the pipeline checks only its content type.
	multipart bool
}

// Paths of the resources, as in Losant's API.
const (
	pathApplications = "/applications"
	pathApplication  = "/applications/{applicationId}"
	pathTokens       = "/applications/{applicationId}/tokens"
	pathToken        = "/applications/{applicationId}/tokens/{apiTokenId}"
	pathFlows        = "/applications/{applicationId}/flows"
	pathFlow         = "/applications/{applicationId}/flows/{flowId}"
	pathVersions     = pathFlow + "/versions"
	pathVersion      = pathVersions + "/{flowVersionId}"
	pathWebhooks     = "/applications/{applicationId}/webhooks"
	pathWebhook      = "/applications/{applicationId}/webhooks/{webhookId}"
	pathEndpoints    = "/applications/{applicationId}/experience/endpoints"
	pathEndpoint     = pathEndpoints + "/{experienceEndpointId}"
	pathDevices      = "/applications/{applicationId}/devices"
	pathDevice       = pathDevices + "/{deviceId}"
	pathRecipes      = "/applications/{applicationId}/device-recipes"
	pathRecipe       = pathRecipes + "/{deviceRecipeId}"
	pathKeys         = "/applications/{applicationId}/keys"
	pathKey          = pathKeys + "/{applicationKeyId}"
	pathEvents       = "/applications/{applicationId}/events"
	pathEvent        = pathEvents + "/{eventId}"
	pathData         = "/applications/{applicationId}/data"

	pathViews             = "/applications/{applicationId}/experience/views"
	pathView              = pathViews + "/{experienceViewId}"
	pathExperienceVersion = "/applications/{applicationId}/experience/versions/{experienceVersionIdOrName}"
	pathFiles             = "/applications/{applicationId}/files"
	pathFile              = "/applications/{applicationId}/file/{fileId}"

	pathTables = "/applications/{applicationId}/data-tables"
	pathTable  = pathTables + "/{dataTableId}"
	pathRows   = pathTable + "/rows"
	pathRow    = pathRows + "/{rowId}"
)

// Experience users and groups.
const (
	pathExperienceUsers  = "/applications/{applicationId}/experience/users"
	pathExperienceUser   = pathExperienceUsers + "/{experienceUserId}"
	pathExperienceGroups = "/applications/{applicationId}/experience/groups"
	pathExperienceGroup  = pathExperienceGroups + "/{experienceGroupId}"
)

var (
	customNodesParam = queryParam{name: "includeCustomNodes", kind: paramBool, def: "false"}
	summaryParams    = []queryParam{{name: "summaryExclude"}, {name: "summaryInclude"}}
)

// routes lists every action the API serves.
func (s *Server) routes() []route {
	return []route{
		// Applications
		{action: "applications.get", method: "GET", path: pathApplications,
			query:  append(listParams([]string{"name", "id", "creationDate", "ownerId", "lastUpdated"}, []string{"name"}), queryParam{name: "orgId", kind: paramID}, summaryParams[0], summaryParams[1]),
			handle: s.handleApplicationsGet},
		{action: "applications.post", method: "POST", path: pathApplications, query: summaryParams,
			body:   &bodySpec{param: "application", schema: "applicationPost", required: true},
			handle: s.handleApplicationsPost},
		// A whole application from an export or template bundle (applications_import.go).
		{action: "applications.import", method: "POST", path: pathApplications + "/import",
			body:   &bodySpec{param: "importBundle", required: true, multipart: true},
			handle: s.handleApplicationsImport},

		// Application
		{action: "application.get", method: "GET", path: pathApplication, query: summaryParams,
			handle: s.handleApplicationGet},
		{action: "application.patch", method: "PATCH", path: pathApplication, query: summaryParams,
			body:   &bodySpec{param: "application", schema: "applicationPatch", required: true},
			handle: s.handleApplicationPatch},
		{action: "application.delete", method: "DELETE", path: pathApplication,
			handle: s.handleApplicationDelete},
		// The application as a template zip, built in the background (application_export.go).
		{action: "application.export", method: "POST", path: pathApplication + "/export",
			body:   &bodySpec{param: "options", schema: "applicationExportPost"},
			handle: s.handleApplicationExport},

		// Dashboards, notebooks and resource jobs, kept for an application's
		// round trip, not run (kept_resource.go).
		{action: "applicationDashboards.get", method: "GET", path: pathApplication + "/dashboards",
			query: listParams([]string{"name", "id", "creationDate"}, []string{"name"}), handle: s.handleKeptGet(keptDashboard)},
		{action: "applicationDashboards.post", method: "POST", path: pathApplication + "/dashboards",
			body: &bodySpec{param: "dashboard", required: true}, handle: s.handleKeptPost(keptDashboard)},
		{action: "notebooks.get", method: "GET", path: pathApplication + "/notebooks",
			query: listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}), handle: s.handleKeptGet(keptNotebook)},
		{action: "notebooks.post", method: "POST", path: pathApplication + "/notebooks",
			body: &bodySpec{param: "notebook", required: true}, handle: s.handleKeptPost(keptNotebook)},
		{action: "resourceJobs.get", method: "GET", path: pathApplication + "/resource-jobs",
			query: listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}), handle: s.handleKeptGet(keptResourceJob)},
		{action: "resourceJobs.post", method: "POST", path: pathApplication + "/resource-jobs",
			body: &bodySpec{param: "resourceJob", required: true}, handle: s.handleKeptPost(keptResourceJob)},

		// Application API Tokens
		{action: "applicationApiTokens.get", method: "GET", path: pathTokens,
			query:  listParams([]string{"name", "status", "id", "creationDate", "lastUpdated", "expirationDate"}, []string{"name", "status"}),
			handle: s.handleTokensGet},
		{action: "applicationApiTokens.post", method: "POST", path: pathTokens,
			body:   &bodySpec{param: "apiToken", schema: "apiTokenPost", required: true},
			handle: s.handleTokensPost},

		// Application API Token
		{action: "applicationApiToken.get", method: "GET", path: pathToken,
			handle: s.handleTokenGet},
		{action: "applicationApiToken.patch", method: "PATCH", path: pathToken,
			body:   &bodySpec{param: "apiToken", schema: "apiTokenPatch", required: true},
			handle: s.handleTokenPatch},
		{action: "applicationApiToken.delete", method: "DELETE", path: pathToken,
			handle: s.handleTokenDelete},

		// Flows
		{action: "flows.get", method: "GET", path: pathFlows,
			query: append(listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}),
				queryParam{name: "flowClass", kind: paramEnum, def: "cloud", enum: []string{"edge", "embedded", "cloud", "customNode", "experience"}},
				queryParam{name: "query", kind: paramString}, // triggerFilter: parseTriggerFilter
				queryParam{name: "allVersions", kind: paramBool, def: "false"},
				customNodesParam),
			handle: s.handleFlowsGet},
		{action: "flows.post", method: "POST", path: pathFlows, query: []queryParam{customNodesParam},
			body:   &bodySpec{param: "flow", schema: "flowPost", required: true},
			handle: s.handleFlowsPost},
		{action: "flows.import", method: "POST", path: pathFlows + "/import", body: &bodySpec{param: "importData", schema: "flowsImportPost", required: true}, handle: s.handleFlowsImport},

		// Flow
		{action: "flow.get", method: "GET", path: pathFlow, query: []queryParam{customNodesParam},
			handle: s.handleFlowGet},
		{action: "flow.patch", method: "PATCH", path: pathFlow, query: []queryParam{customNodesParam},
			body:   &bodySpec{param: "flow", schema: "flowPatch", required: true},
			handle: s.handleFlowPatch},
		{action: "flow.delete", method: "DELETE", path: pathFlow,
			handle: s.handleFlowDelete},
		{action: "flow.getLogEntries", method: "GET", path: pathFlow + "/logs",
			query:  logParams,
			handle: s.handleFlowLogs},
		{action: "flow.debug", method: "GET", path: pathFlow + "/debug",
			handle: s.handleFlowDebug},
		{action: "flow.trace", method: "GET", path: pathFlow + "/trace",
			handle: s.handleFlowTrace},
		// One logged run, its kept payload in full, and the run started
		// again from that payload (replay.go).
		{action: "flow.getLogEntry", method: "GET", path: pathFlow + "/logs/{runId}",
			handle: s.handleFlowLogEntry},
		{action: "flow.replay", method: "POST", path: pathFlow + "/logs/{runId}/replay",
			body:   &bodySpec{param: "replay", schema: "flowReplayPost"},
			handle: s.handleFlowReplay},
		{action: "flow.stats", method: "GET", path: pathFlow + "/stats", query: statsParams,
			handle: s.handleFlowStats},
		{action: "flow.errors", method: "GET", path: pathFlow + "/errors", query: errorsParams,
			handle: s.handleFlowErrors},
		{action: "flow.getStorageEntries", method: "GET", path: pathFlow + "/storage",
			handle: s.handleStorageGet},
		{action: "flow.setStorageEntry", method: "PATCH", path: pathFlow + "/storage",
			body:   &bodySpec{param: "entry", schema: "flowStorageEntry", required: true},
			handle: s.handleStorageSet},
		{action: "flow.clearStorageEntries", method: "DELETE", path: pathFlow + "/storage",
			handle: s.handleStorageClear},
		{action: "flow.getStorageEntriesMetadata", method: "GET", path: pathFlow + "/storage-metadata",
			handle: s.handleStorageMetadata},
		{action: "flow.pressVirtualButton", method: "POST", path: pathFlow + "/virtualButton",
			body:   &bodySpec{param: "button", schema: "virtualButtonPress", required: true},
			handle: s.handleButtonPress},

		// Flow Versions
		{action: "flowVersions.get", method: "GET", path: pathVersions, query: versionListParams,
			handle: s.handleFlowVersionsGet},
		{action: "flowVersions.post", method: "POST", path: pathVersions,
			query:  []queryParam{customNodesParam, {name: "allowReplacement", kind: paramBool, def: "false"}},
			body:   &bodySpec{param: "flowVersion", schema: "flowVersionPost", required: true},
			handle: s.handleFlowVersionsPost},
		{action: "flowVersions.delete", method: "POST", path: pathVersions + "/delete",
			body:   &bodySpec{param: "options", schema: "flowVersionsDeletePost", required: true},
			handle: s.handleFlowVersionsDelete},

		// Flow Version
		{action: "flowVersion.get", method: "GET", path: pathVersion, query: []queryParam{customNodesParam},
			handle: s.handleFlowVersionGet},
		{action: "flowVersion.patch", method: "PATCH", path: pathVersion, query: []queryParam{customNodesParam},
			body:   &bodySpec{param: "flowVersion", schema: "flowVersionPatch", required: true},
			handle: s.handleFlowVersionPatch},
		{action: "flowVersion.delete", method: "DELETE", path: pathVersion,
			handle: s.handleFlowVersionDelete},
		{action: "flowVersion.getLogEntries", method: "GET", path: pathVersion + "/logs", query: logParams,
			handle: s.handleFlowVersionLogs},
		{action: "flowVersion.stats", method: "GET", path: pathVersion + "/stats", query: withoutParam(statsParams, "flowVersion"),
			handle: s.handleFlowVersionStats},
		{action: "flowVersion.errors", method: "GET", path: pathVersion + "/errors", query: withoutParam(errorsParams, "flowVersion"),
			handle: s.handleFlowVersionErrors},

		// Webhooks
		{action: "webhooks.get", method: "GET", path: pathWebhooks,
			query:  listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}),
			handle: s.handleWebhooksGet},
		{action: "webhooks.post", method: "POST", path: pathWebhooks,
			body:   &bodySpec{param: "webhook", schema: "webhookPost", required: true},
			handle: s.handleWebhooksPost},

		// Webhook
		{action: "webhook.get", method: "GET", path: pathWebhook,
			handle: s.handleWebhookGet},
		{action: "webhook.patch", method: "PATCH", path: pathWebhook,
			body:   &bodySpec{param: "webhook", schema: "webhookPatch", required: true},
			handle: s.handleWebhookPatch},
		{action: "webhook.delete", method: "DELETE", path: pathWebhook,
			handle: s.handleWebhookDelete},

		// Experience Endpoints
		{action: "experienceEndpoints.get", method: "GET", path: pathEndpoints,
			query:  listParams([]string{"route", "method", "id", "creationDate", "lastUpdated"}, []string{"route"}),
			handle: s.handleEndpointsGet},
		{action: "experienceEndpoints.post", method: "POST", path: pathEndpoints,
			body:   &bodySpec{param: "experienceEndpoint", schema: "experienceEndpointPost", required: true},
			handle: s.handleEndpointsPost},

		// Experience Endpoint
		{action: "experienceEndpoint.get", method: "GET", path: pathEndpoint,
			handle: s.handleEndpointGet},
		{action: "experienceEndpoint.patch", method: "PATCH", path: pathEndpoint,
			body:   &bodySpec{param: "experienceEndpoint", schema: "experienceEndpointPatch", required: true},
			handle: s.handleEndpointPatch},
		{action: "experienceEndpoint.delete", method: "DELETE", path: pathEndpoint,
			handle: s.handleEndpointDelete},

		// Devices
		{action: "devices.get", method: "GET", path: pathDevices, query: deviceListParams,
			handle: s.handleDevicesGet},
		{action: "devices.post", method: "POST", path: pathDevices,
			query:  deviceListParams[len(deviceListParams)-2:],
			body:   &bodySpec{param: "device", schema: "devicePost", required: true},
			handle: s.handleDevicesPost},

		// Devices by query or ids, updated (devices_patch.go)
		{action: "devices.patch", method: "PATCH", path: pathDevices,
			body:   &bodySpec{param: "patchInfo", schema: "devicesPatch", required: true},
			handle: s.handleDevicesPatch},
		// Devices by query (devices_bulk.go)
		{action: "devices.delete", method: "POST", path: pathDevices + "/delete",
			body:   &bodySpec{param: "options", schema: "devicesDeleteOrRestorePost", required: true},
			handle: s.handleDevicesDelete},
		{action: "devices.removeData", method: "POST", path: pathDevices + "/removeData",
			body:   &bodySpec{param: "options", schema: "devicesRemoveDataPost", required: true},
			handle: s.handleDevicesRemoveData},
		{action: "devices.sendCommand", method: "POST", path: pathDevices + "/command",
			body:   &bodySpec{param: "multiDeviceCommand", schema: "multiDeviceCommand", required: true},
			handle: s.handleDevicesCommand},

		// Names, tag keys and values of the devices a query matches (devices_names.go)
		{action: "devices.tagKeys", method: "GET", path: pathDevices + "/tagKeys", query: nameParams,
			handle: s.handleDevicesTagKeys},
		{action: "devices.tagValues", method: "GET", path: pathDevices + "/tagValues",
			query: append([]queryParam{{name: "key", kind: paramString}}, nameParams...), handle: s.handleDevicesTagValues},
		{action: "devices.attributeNames", method: "GET", path: pathDevices + "/attributeNames", query: nameParams,
			handle: s.handleDevicesAttributeNames},
		{action: "devices.deviceNames", method: "GET", path: pathDevices + "/deviceNames", query: nameParams,
			handle: s.handleDevicesDeviceNames},

		// Device
		{action: "device.get", method: "GET", path: pathDevice, query: deviceListParams[len(deviceListParams)-3:],
			handle: s.handleDeviceGet},
		{action: "device.patch", method: "PATCH", path: pathDevice, query: deviceListParams[len(deviceListParams)-2:],
			body:   &bodySpec{param: "device", schema: "devicePatch", required: true},
			handle: s.handleDevicePatch},
		{action: "device.delete", method: "DELETE", path: pathDevice,
			handle: s.handleDeviceDelete},
		{action: "device.getState", method: "GET", path: pathDevice + "/state", query: historyParams,
			handle: s.handleDeviceStateGet},
		{action: "device.sendState", method: "POST", path: pathDevice + "/state",
			body:   &bodySpec{param: "deviceState", schema: "deviceStateOrStates", required: true},
			handle: s.handleDeviceStatePost},
		{action: "device.getCompositeState", method: "GET", path: pathDevice + "/compositeState", query: compositeParams,
			handle: s.handleDeviceCompositeState},
		{action: "device.removeData", method: "DELETE", path: pathDevice + "/data", query: timeRangeParams,
			handle: s.handleDeviceRemoveData},
		{action: "device.setConnectionStatus", method: "POST", path: pathDevice + "/setConnectionStatus",
			body:   &bodySpec{param: "connectionStatus", schema: "deviceConnectionStatus", required: true},
			handle: s.handleDeviceConnectionStatus},
		{action: "device.sendCommand", method: "POST", path: pathDevice + "/command",
			body:   &bodySpec{param: "deviceCommand", schema: "deviceCommand", required: true},
			handle: s.handleDeviceCommandPost},
		{action: "device.getCommand", method: "GET", path: pathDevice + "/command", query: historyParams,
			handle: s.handleDeviceCommandGet},
		{action: "device.getLogEntries", method: "GET", path: pathDevice + "/logs", query: historyParams,
			handle: s.handleDeviceLogGet},

		// Live state and command streams of a device (device_stream.go)
		{action: "device.stateStream", method: "GET", path: pathDevice + "/stateStream", query: streamParams,
			handle: s.handleDeviceStateStream},
		{action: "device.commandStream", method: "GET", path: pathDevice + "/commandStream", query: streamParams,
			handle: s.handleDeviceCommandStream},

		// Device Recipes (device_recipe.go, device_recipe_bulk.go)
		{action: "deviceRecipes.get", method: "GET", path: pathRecipes,
			query:  listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}),
			handle: s.handleRecipesGet},
		{action: "deviceRecipes.post", method: "POST", path: pathRecipes,
			body:   &bodySpec{param: "deviceRecipe", schema: "deviceRecipePost", required: true},
			handle: s.handleRecipesPost},
		{action: "deviceRecipe.get", method: "GET", path: pathRecipe,
			handle: s.handleRecipeGet},
		{action: "deviceRecipe.patch", method: "PATCH", path: pathRecipe,
			body:   &bodySpec{param: "deviceRecipe", schema: "deviceRecipePatch", required: true},
			handle: s.handleRecipePatch},
		{action: "deviceRecipe.delete", method: "DELETE", path: pathRecipe,
			handle: s.handleRecipeDelete},
		{action: "deviceRecipe.bulkCreate", method: "POST", path: pathRecipe + "/bulkCreate",
			body:   &bodySpec{param: "bulkInfo", schema: "deviceRecipeBulkCreatePost", required: true},
			handle: s.handleRecipeBulkCreate},

		// Application Keys
		{action: "applicationKeys.get", method: "GET", path: pathKeys, query: keyListParams,
			handle: s.handleKeysGet},
		{action: "applicationKeys.post", method: "POST", path: pathKeys,
			body:   &bodySpec{param: "applicationKey", schema: "applicationKeyPost", required: true},
			handle: s.handleKeysPost},

		// Application Key
		{action: "applicationKey.get", method: "GET", path: pathKey,
			handle: s.handleKeyGet},
		{action: "applicationKey.patch", method: "PATCH", path: pathKey,
			body:   &bodySpec{param: "applicationKey", schema: "applicationKeyPatch", required: true},
			handle: s.handleKeyPatch},
		{action: "applicationKey.delete", method: "DELETE", path: pathKey,
			handle: s.handleKeyDelete},

		// Events
		{action: "events.get", method: "GET", path: pathEvents, query: eventListParams,
			handle: s.handleEventsGet},
		{action: "events.post", method: "POST", path: pathEvents,
			body:   &bodySpec{param: "event", schema: "eventPost", required: true},
			handle: s.handleEventsPost},
		{action: "events.patch", method: "PATCH", path: pathEvents, query: append(eventFilterParams, jobParams...),
			body:   &bodySpec{param: "updates", schema: "eventPatch", required: true},
			handle: s.handleEventsPatch},
		{action: "events.delete", method: "POST", path: pathEvents + "/delete", query: jobParams,
			body:   &bodySpec{param: "query", schema: "advancedEventQuery"},
			handle: s.handleEventsDelete},
		// Export jobs (events_export.go, devices_export.go, device_export.go, data_export.go, export.go)
		{action: "data.export", method: "POST", path: pathData + "/export",
			body:   &bodySpec{param: "query", schema: "devicesDataExport", required: true},
			handle: s.handleDataExport},
		{action: "device.export", method: "POST", path: pathDevice + "/export", query: deviceExportParams,
			body:   &bodySpec{param: "query", schema: "deviceDataExport"},
			handle: s.handleDeviceExport},
		{action: "devices.export", method: "POST", path: pathDevices + "/export", query: jobParams,
			body:   &bodySpec{param: "options", schema: "devicesExportPost"},
			handle: s.handleDevicesExport},
		{action: "events.export", method: "POST", path: pathEvents + "/export",
			body:   &bodySpec{param: "exportData", schema: "eventsExport"},
			handle: s.handleEventsExport},
		{action: "events.mostRecentBySeverity", method: "GET", path: pathEvents + "/mostRecentBySeverity",
			query:  []queryParam{eventFilterParams[1], eventFilterParams[3]},
			handle: s.handleEventsMostRecent},

		// Event
		{action: "event.get", method: "GET", path: pathEvent,
			handle: s.handleEventGet},
		{action: "event.patch", method: "PATCH", path: pathEvent,
			body:   &bodySpec{param: "event", schema: "eventPatch", required: true},
			handle: s.handleEventPatch},
		{action: "event.delete", method: "DELETE", path: pathEvent,
			handle: s.handleEventDelete},
		// Experience Views and Experience View (develop only)
		{action: "experienceViews.get", method: "GET", path: pathViews, query: viewListParams, handle: s.handleViewsGet},
		{action: "experienceViews.post", method: "POST", path: pathViews,
			body:   &bodySpec{param: "experienceView", schema: "experienceViewPost", required: true},
			handle: s.handleViewsPost},
		{action: "experienceView.get", method: "GET", path: pathView, query: []queryParam{versionParam}, handle: s.handleViewGet},
		{action: "experienceView.patch", method: "PATCH", path: pathView,
			body:   &bodySpec{param: "experienceView", schema: "experienceViewPatch", required: true},
			handle: s.handleViewPatch},
		{action: "experienceView.delete", method: "DELETE", path: pathView, handle: s.handleViewDelete},

		// Experience Versions and Experience Version: develop only
		{action: "experienceVersions.get", method: "GET", path: "/applications/{applicationId}/experience/versions",
			query: listParams([]string{"version", "id", "creationDate", "lastUpdated"}, []string{"version"}), handle: s.handleExperienceVersionsGet},
		{action: "experienceVersions.post", method: "POST", path: "/applications/{applicationId}/experience/versions",
			body:   &bodySpec{param: "experienceVersion", schema: "experienceVersionPost", required: true},
			handle: s.handleExperienceVersionsPost},
		{action: "experienceVersion.get", method: "GET", path: pathExperienceVersion, handle: s.handleExperienceVersionGet},
		{action: "experienceVersion.patch", method: "PATCH", path: pathExperienceVersion,
			body:   &bodySpec{param: "experienceVersion", schema: "experienceVersionPatch", required: true},
			handle: s.handleExperienceVersionPatch},
		{action: "experienceVersion.delete", method: "DELETE", path: pathExperienceVersion, handle: s.handleExperienceVersionDelete},

		// Files and File
		{action: "files.get", method: "GET", path: pathFiles, query: fileListParams, handle: s.handleFilesGet},
		{action: "files.post", method: "POST", path: pathFiles,
			body:   &bodySpec{param: "file", schema: "filePost", required: true},
			handle: s.handleFilesPost},
		{action: "file.get", method: "GET", path: pathFile, handle: s.handleFileGet},
		{action: "file.patch", method: "PATCH", path: pathFile,
			body:   &bodySpec{param: "updates", schema: "filePatch", required: true},
			handle: s.handleFilePatch},
		{action: "file.delete", method: "DELETE", path: pathFile, handle: s.handleFileDelete},
		{action: "file.upload", method: "POST", path: pathFile + "/upload", handle: s.handleFileUpload},
		// Data Tables, Data Table, Data Table Rows and Data Table Row
		{action: "dataTables.get", method: "GET", path: pathTables, query: tableListParams, handle: s.handleTablesGet},
		{action: "dataTables.post", method: "POST", path: pathTables,
			body: &bodySpec{param: "dataTable", schema: "dataTablePost", required: true}, handle: s.handleTablesPost},
		{action: "dataTable.get", method: "GET", path: pathTable, handle: s.handleTableGet},
		{action: "dataTable.patch", method: "PATCH", path: pathTable,
			body: &bodySpec{param: "dataTable", schema: "dataTablePatch", required: true}, handle: s.handleTablePatch},
		{action: "dataTable.delete", method: "DELETE", path: pathTable, handle: s.handleTableDelete},
		{action: "dataTable.addColumn", method: "POST", path: pathTable + "/column",
			body: &bodySpec{param: "dataTableColumn", schema: "dataTableColumn", required: true}, handle: s.handleTableAddColumn},
		{action: "dataTable.removeColumn", method: "DELETE", path: pathTable + "/column",
			query: []queryParam{{name: "columnName", kind: paramString}}, handle: s.handleTableRemoveColumn},
		{action: "dataTableRows.get", method: "GET", path: pathRows, query: rowQueryParams, handle: s.handleRowsGet},
		{action: "dataTableRows.post", method: "POST", path: pathRows,
			body: &bodySpec{param: "dataTableRow", schema: "dataTableRowInsert", required: true}, handle: s.handleRowsPost},
		// A query document (schema advancedQuery) is checked against the
		// table's columns by weir.ParseTableQuery, every rule of the schema
		// and more, each fault named by its path.
		{action: "dataTableRows.query", method: "POST", path: pathRows + "/query", query: rowQueryParams,
			body: &bodySpec{param: "query"}, handle: s.handleRowsQuery},
		{action: "dataTableRows.delete", method: "POST", path: pathRows + "/delete", query: rowDeleteParams,
			body: &bodySpec{param: "query"}, handle: s.handleRowsDelete},
		{action: "dataTableRows.truncate", method: "POST", path: pathRows + "/truncate", handle: s.handleRowsTruncate},
		{action: "dataTableRows.export", method: "POST", path: pathRows + "/export",
			body: &bodySpec{param: "exportData", schema: "dataTableRowsExport", required: true}, handle: s.handleRowsExport},
		{action: "dataTableRow.get", method: "GET", path: pathRow, handle: s.handleRowGet},
		{action: "dataTableRow.patch", method: "PATCH", path: pathRow,
			body: &bodySpec{param: "dataTableRow", schema: "dataTableRowInsertUpdate", required: true}, handle: s.handleRowPatch},
		{action: "dataTableRow.delete", method: "DELETE", path: pathRow, handle: s.handleRowDelete},

		// Data queries over device state history
		{action: "data.timeSeriesQuery", method: "POST", path: pathData + "/time-series-query",
			body:   &bodySpec{param: "query", schema: "timeSeriesQuery", required: true},
			handle: s.handleTimeSeriesQuery},
		{action: "data.lastValueQuery", method: "POST", path: pathData + "/last-value-query",
			body:   &bodySpec{param: "query", schema: "lastValueQuery", required: true},
			handle: s.handleLastValueQuery},

		// Experience Users and Groups (experience_user.go, experience_group.go)
		{action: "experienceUsers.get", method: "GET", path: pathExperienceUsers, query: experienceUserListParams,
			handle: s.handleExperienceUsersGet},
		{action: "experienceUsers.post", method: "POST", path: pathExperienceUsers,
			body:   &bodySpec{param: "experienceUser", schema: "experienceUserPost", required: true},
			handle: s.handleExperienceUsersPost},
		{action: "experienceUser.get", method: "GET", path: pathExperienceUser, handle: s.handleExperienceUserGet},
		{action: "experienceUser.patch", method: "PATCH", path: pathExperienceUser,
			body:   &bodySpec{param: "experienceUser", schema: "experienceUserPatch", required: true},
			handle: s.handleExperienceUserPatch},
		{action: "experienceUser.delete", method: "DELETE", path: pathExperienceUser, handle: s.handleExperienceUserDelete},
		{action: "experienceGroups.get", method: "GET", path: pathExperienceGroups, query: experienceGroupListParams,
			handle: s.handleExperienceGroupsGet},
		{action: "experienceGroups.post", method: "POST", path: pathExperienceGroups,
			body:   &bodySpec{param: "experienceGroup", schema: "experienceGroupPost", required: true},
			handle: s.handleExperienceGroupsPost},
		{action: "experienceGroup.get", method: "GET", path: pathExperienceGroup, query: experienceGroupParams,
			handle: s.handleExperienceGroupGet},
		{action: "experienceGroup.patch", method: "PATCH", path: pathExperienceGroup,
			body:   &bodySpec{param: "experienceGroup", schema: "experienceGroupPatch", required: true},
			handle: s.handleExperienceGroupPatch},
		{action: "experienceGroup.delete", method: "DELETE", path: pathExperienceGroup, handle: s.handleExperienceGroupDelete},

		// weir's Prometheus metrics (metrics.go)
		{action: "metrics.get", method: "GET", path: "/metrics", handle: s.handleMetrics},
	}
}

// publicRoutes are the unauthenticated endpoints, by method-less pattern:
// a webhook's URL answers every method, at its root and below it, and so
// does an application's experience root.
func (s *Server) publicRoutes() map[string]http.Handler {
	return map[string]http.Handler{
		"/webhooks/{token}":           http.HandlerFunc(s.handleWebhookRequest),
		"/webhooks/{token}/{path...}": http.HandlerFunc(s.handleWebhookRequest),
		// An experience endpoint answers its method on its route below the
		// application's root (endpoint_public.go).
		"/experience/{applicationId}":           http.HandlerFunc(s.handleEndpointRequest),
		"/experience/{applicationId}/{path...}": http.HandlerFunc(s.handleEndpointRequest),
		// An edge flow's HTTP request triggers answer below the
		// application's edge root (request_public.go).
		"/edge/{applicationId}":           http.HandlerFunc(s.handleEdgeRequest),
		"/edge/{applicationId}/{path...}": http.HandlerFunc(s.handleEdgeRequest),
		// An application's files, for browsers (file_public.go).
		FilesPath + "{applicationId}/{path...}": http.HandlerFunc(s.handleFileRequest),
		// A file's content, posted with the signed fields of files.post.
		FileUploadPath + "{applicationId}/{fileId}": http.HandlerFunc(s.handleSignedUpload),
		// A device trades its access key and secret for a device token.
		"/auth/device": http.HandlerFunc(s.handleAuthDevice),
	}
}
