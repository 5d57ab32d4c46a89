package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/mock"
)

// matrixRoute is one route of routes.go with a valid minimal request: the
// path pattern exactly as registered, a body for POST/PATCH, and the status
// of success.
type matrixRoute struct {
	action, method, path string
	body                 string // {button} is replaced by the flow's button key
	status               int
}

// matrixRoutes lists every authenticated route of routes.go;
// TestAuthzMatrixCoversRoutes fails when the two disagree.
var matrixRoutes = []matrixRoute{
	{"applications.get", "GET", "/applications", "", 200},
	{"applications.post", "POST", "/applications", `{"name":"n"}`, 201},
	{"applications.import", "POST", "/applications/import", importBundleBody, 201},
	{"application.get", "GET", "/applications/{applicationId}", "", 200},
	{"application.patch", "PATCH", "/applications/{applicationId}", `{"description":"x"}`, 200},
	{"application.delete", "DELETE", "/applications/{applicationId}", "", 200},
	{"application.export", "POST", "/applications/{applicationId}/export", `{}`, 202},
	{"applicationDashboards.get", "GET", "/applications/{applicationId}/dashboards", "", 200},
	{"applicationDashboards.post", "POST", "/applications/{applicationId}/dashboards", `{"name":"d","blocks":[]}`, 201},
	{"notebooks.get", "GET", "/applications/{applicationId}/notebooks", "", 200},
	{"notebooks.post", "POST", "/applications/{applicationId}/notebooks", `{"name":"n"}`, 201},
	{"resourceJobs.get", "GET", "/applications/{applicationId}/resource-jobs", "", 200},
	{"resourceJobs.post", "POST", "/applications/{applicationId}/resource-jobs", `{"name":"j","resourceType":"device"}`, 201},
	{"applicationApiTokens.get", "GET", "/applications/{applicationId}/tokens", "", 200},
	{"applicationApiTokens.post", "POST", "/applications/{applicationId}/tokens", `{"name":"n"}`, 201},
	{"applicationApiToken.get", "GET", "/applications/{applicationId}/tokens/{apiTokenId}", "", 200},
	{"applicationApiToken.patch", "PATCH", "/applications/{applicationId}/tokens/{apiTokenId}", `{"description":"x"}`, 200},
	{"applicationApiToken.delete", "DELETE", "/applications/{applicationId}/tokens/{apiTokenId}", "", 200},
	{"flows.get", "GET", "/applications/{applicationId}/flows", "", 200},
	{"flows.post", "POST", "/applications/{applicationId}/flows", `{"name":"n"}`, 201},
	{"flows.import", "POST", "/applications/{applicationId}/flows/import", `{"flows":[{"name":"imported"}]}`, 201},
	{"flow.get", "GET", "/applications/{applicationId}/flows/{flowId}", "", 200},
	{"flow.patch", "PATCH", "/applications/{applicationId}/flows/{flowId}", `{"description":"x"}`, 200},
	{"flow.delete", "DELETE", "/applications/{applicationId}/flows/{flowId}", "", 200},
	{"flow.getLogEntries", "GET", "/applications/{applicationId}/flows/{flowId}/logs", "", 200},
	{"flow.debug", "GET", "/applications/{applicationId}/flows/{flowId}/debug", "", 200},
	{"flow.trace", "GET", "/applications/{applicationId}/flows/{flowId}/trace", "", 200},
	{"flow.getLogEntry", "GET", "/applications/{applicationId}/flows/{flowId}/logs/{runId}", "", 200},
	{"flow.replay", "POST", "/applications/{applicationId}/flows/{flowId}/logs/{runId}/replay", "", 200},
	{"flow.stats", "GET", "/applications/{applicationId}/flows/{flowId}/stats", "", 200},
	{"flow.errors", "GET", "/applications/{applicationId}/flows/{flowId}/errors", "", 200},
	{"flow.getStorageEntries", "GET", "/applications/{applicationId}/flows/{flowId}/storage", "", 200},
	{"flow.setStorageEntry", "PATCH", "/applications/{applicationId}/flows/{flowId}/storage", `{"key":"k","value":1}`, 200},
	{"flow.clearStorageEntries", "DELETE", "/applications/{applicationId}/flows/{flowId}/storage", "", 200},
	{"flow.getStorageEntriesMetadata", "GET", "/applications/{applicationId}/flows/{flowId}/storage-metadata", "", 200},
	{"flow.pressVirtualButton", "POST", "/applications/{applicationId}/flows/{flowId}/virtualButton", `{"key":"{button}"}`, 200},
	{"flowVersions.get", "GET", "/applications/{applicationId}/flows/{flowId}/versions", "", 200},
	{"flowVersions.post", "POST", "/applications/{applicationId}/flows/{flowId}/versions", `{"version":"v2"}`, 201},
	{"flowVersions.delete", "POST", "/applications/{applicationId}/flows/{flowId}/versions/delete", `{"query":{"version":"none"}}`, 200},
	{"flowVersion.get", "GET", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}", "", 200},
	{"flowVersion.patch", "PATCH", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}", `{"notes":"x"}`, 200},
	{"flowVersion.delete", "DELETE", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}", "", 200},
	{"flowVersion.getLogEntries", "GET", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}/logs", "", 200},
	{"flowVersion.stats", "GET", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}/stats", "", 200},
	{"flowVersion.errors", "GET", "/applications/{applicationId}/flows/{flowId}/versions/{flowVersionId}/errors", "", 200},
	{"webhooks.get", "GET", "/applications/{applicationId}/webhooks", "", 200},
	{"webhooks.post", "POST", "/applications/{applicationId}/webhooks", `{"name":"n"}`, 201},
	{"webhook.get", "GET", "/applications/{applicationId}/webhooks/{webhookId}", "", 200},
	{"webhook.patch", "PATCH", "/applications/{applicationId}/webhooks/{webhookId}", `{"name":"renamed"}`, 200},
	{"webhook.delete", "DELETE", "/applications/{applicationId}/webhooks/{webhookId}", "", 200},
	{"experienceEndpoints.get", "GET", "/applications/{applicationId}/experience/endpoints", "", 200},
	{"experienceEndpoints.post", "POST", "/applications/{applicationId}/experience/endpoints", `{"route":"/new"}`, 201},
	{"experienceEndpoint.get", "GET", "/applications/{applicationId}/experience/endpoints/{experienceEndpointId}", "", 200},
	{"experienceEndpoint.patch", "PATCH", "/applications/{applicationId}/experience/endpoints/{experienceEndpointId}", `{"description":"x"}`, 200},
	{"experienceEndpoint.delete", "DELETE", "/applications/{applicationId}/experience/endpoints/{experienceEndpointId}", "", 200},
	{"devices.get", "GET", "/applications/{applicationId}/devices", "", 200},
	{"devices.post", "POST", "/applications/{applicationId}/devices", `{"name":"n"}`, 201},
	{"devices.delete", "POST", "/applications/{applicationId}/devices/delete", `{"query":{"name":"nothing"}}`, 200},
	{"devices.removeData", "POST", "/applications/{applicationId}/devices/removeData", `{"query":{"id":"{deviceId}"}}`, 202},
	{"devices.sendCommand", "POST", "/applications/{applicationId}/devices/command", `{"name":"go","deviceIds":["{deviceId}"]}`, 200},
	{"devices.tagKeys", "GET", "/applications/{applicationId}/devices/tagKeys", "", 200},
	{"devices.tagValues", "GET", "/applications/{applicationId}/devices/tagValues?key=floor", "", 200},
	{"devices.attributeNames", "GET", "/applications/{applicationId}/devices/attributeNames", "", 200},
	{"devices.deviceNames", "GET", "/applications/{applicationId}/devices/deviceNames", "", 200},
	{"devices.patch", "PATCH", "/applications/{applicationId}/devices", `{"deviceIds":["{deviceId}"],"updateFields":{"description":"x"}}`, 200},
	{"device.get", "GET", "/applications/{applicationId}/devices/{deviceId}", "", 200},
	{"device.patch", "PATCH", "/applications/{applicationId}/devices/{deviceId}", `{"description":"x"}`, 200},
	{"device.delete", "DELETE", "/applications/{applicationId}/devices/{deviceId}", "", 200},
	{"device.getState", "GET", "/applications/{applicationId}/devices/{deviceId}/state", "", 200},
	{"device.sendState", "POST", "/applications/{applicationId}/devices/{deviceId}/state", `{"data":{"temp":1}}`, 200},
	{"device.getCompositeState", "GET", "/applications/{applicationId}/devices/{deviceId}/compositeState", "", 200},
	{"device.removeData", "DELETE", "/applications/{applicationId}/devices/{deviceId}/data", "", 202},
	{"device.setConnectionStatus", "POST", "/applications/{applicationId}/devices/{deviceId}/setConnectionStatus", `{"status":"connected"}`, 200},
	{"device.sendCommand", "POST", "/applications/{applicationId}/devices/{deviceId}/command", `{"name":"go"}`, 200},
	{"device.getCommand", "GET", "/applications/{applicationId}/devices/{deviceId}/command", "", 200},
	{"device.stateStream", "GET", "/applications/{applicationId}/devices/{deviceId}/stateStream", "", 200},
	{"device.commandStream", "GET", "/applications/{applicationId}/devices/{deviceId}/commandStream", "", 200},
	{"device.getLogEntries", "GET", "/applications/{applicationId}/devices/{deviceId}/logs", "", 200},
	{"deviceRecipes.get", "GET", "/applications/{applicationId}/device-recipes", "", 200},
	{"deviceRecipes.post", "POST", "/applications/{applicationId}/device-recipes", `{"name":"n"}`, 201},
	{"deviceRecipe.get", "GET", "/applications/{applicationId}/device-recipes/{deviceRecipeId}", "", 200},
	{"deviceRecipe.patch", "PATCH", "/applications/{applicationId}/device-recipes/{deviceRecipeId}", `{"description":"x"}`, 200},
	{"deviceRecipe.delete", "DELETE", "/applications/{applicationId}/device-recipes/{deviceRecipeId}", "", 200},
	{"deviceRecipe.bulkCreate", "POST", "/applications/{applicationId}/device-recipes/{deviceRecipeId}/bulkCreate", `{"csv":"name\nd1\n","nameColumn":"name"}`, 201},
	{"dataTables.get", "GET", "/applications/{applicationId}/data-tables", "", 200},
	{"dataTables.post", "POST", "/applications/{applicationId}/data-tables", `{"name":"n"}`, 201},
	{"dataTable.get", "GET", "/applications/{applicationId}/data-tables/{dataTableId}", "", 200},
	{"dataTable.patch", "PATCH", "/applications/{applicationId}/data-tables/{dataTableId}", `{"description":"x"}`, 200},
	{"dataTable.delete", "DELETE", "/applications/{applicationId}/data-tables/{dataTableId}", "", 200},
	{"dataTable.addColumn", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/column", `{"name":"c2","dataType":"number","constraint":"optional"}`, 200},
	{"dataTable.removeColumn", "DELETE", "/applications/{applicationId}/data-tables/{dataTableId}/column", "", 400}, // columnName is required
	{"dataTableRows.get", "GET", "/applications/{applicationId}/data-tables/{dataTableId}/rows", "", 200},
	{"dataTableRows.post", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows", `{"label":"z"}`, 201},
	{"dataTableRows.query", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows/query", `{"label":"x"}`, 200},
	{"dataTableRows.delete", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows/delete", `{}`, 200},
	{"dataTableRows.truncate", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows/truncate", "", 200},
	{"dataTableRows.export", "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows/export", `{}`, 202},
	{"dataTableRow.get", "GET", "/applications/{applicationId}/data-tables/{dataTableId}/rows/{rowId}", "", 200},
	{"dataTableRow.patch", "PATCH", "/applications/{applicationId}/data-tables/{dataTableId}/rows/{rowId}", `{"label":"y"}`, 200},
	{"dataTableRow.delete", "DELETE", "/applications/{applicationId}/data-tables/{dataTableId}/rows/{rowId}", "", 200},
	{"applicationKeys.get", "GET", "/applications/{applicationId}/keys", "", 200},
	{"applicationKeys.post", "POST", "/applications/{applicationId}/keys", `{"description":"d"}`, 201},
	{"applicationKey.get", "GET", "/applications/{applicationId}/keys/{applicationKeyId}", "", 200},
	{"applicationKey.patch", "PATCH", "/applications/{applicationId}/keys/{applicationKeyId}", `{"description":"x"}`, 200},
	{"applicationKey.delete", "DELETE", "/applications/{applicationId}/keys/{applicationKeyId}", "", 200},
	{"experienceViews.get", "GET", "/applications/{applicationId}/experience/views", "", 200},
	{"experienceViews.post", "POST", "/applications/{applicationId}/experience/views", `{"name":"c","viewType":"component","body":"x"}`, 201},
	{"experienceView.get", "GET", "/applications/{applicationId}/experience/views/{experienceViewId}", "", 200},
	{"experienceView.patch", "PATCH", "/applications/{applicationId}/experience/views/{experienceViewId}", `{"body":"y"}`, 200},
	{"experienceView.delete", "DELETE", "/applications/{applicationId}/experience/views/{experienceViewId}", "", 200},
	{"experienceVersions.get", "GET", "/applications/{applicationId}/experience/versions", "", 200},
	{"experienceVersions.post", "POST", "/applications/{applicationId}/experience/versions", `{"version":"v2"}`, 400},
	{"experienceVersion.get", "GET", "/applications/{applicationId}/experience/versions/{experienceVersionIdOrName}", "", 200},
	{"experienceVersion.patch", "PATCH", "/applications/{applicationId}/experience/versions/{experienceVersionIdOrName}", `{"description":"d"}`, 200},
	{"experienceVersion.delete", "DELETE", "/applications/{applicationId}/experience/versions/{experienceVersionIdOrName}", "", 400},
	{"files.get", "GET", "/applications/{applicationId}/files", "", 200},
	{"files.post", "POST", "/applications/{applicationId}/files", `{"name":"a.css","type":"file"}`, 201},
	{"file.get", "GET", "/applications/{applicationId}/file/{fileId}", "", 200},
	{"file.patch", "PATCH", "/applications/{applicationId}/file/{fileId}", `{"contentType":"text/css"}`, 201},
	{"file.delete", "DELETE", "/applications/{applicationId}/file/{fileId}", "", 200},
	{"file.upload", "POST", "/applications/{applicationId}/file/{fileId}/upload", "", 400},
	{"experienceUsers.get", "GET", "/applications/{applicationId}/experience/users", "", 200},
	{"experienceUsers.post", "POST", "/applications/{applicationId}/experience/users", `{"email":"new@example.com","password":"password1"}`, 201},
	{"experienceUser.get", "GET", "/applications/{applicationId}/experience/users/{experienceUserId}", "", 200},
	{"experienceUser.patch", "PATCH", "/applications/{applicationId}/experience/users/{experienceUserId}", `{"firstName":"x"}`, 200},
	{"experienceUser.delete", "DELETE", "/applications/{applicationId}/experience/users/{experienceUserId}", "", 200},
	{"experienceGroups.get", "GET", "/applications/{applicationId}/experience/groups", "", 200},
	{"experienceGroups.post", "POST", "/applications/{applicationId}/experience/groups", `{"name":"g"}`, 201},
	{"experienceGroup.get", "GET", "/applications/{applicationId}/experience/groups/{experienceGroupId}", "", 200},
	{"experienceGroup.patch", "PATCH", "/applications/{applicationId}/experience/groups/{experienceGroupId}", `{"name":"x"}`, 200},
	{"experienceGroup.delete", "DELETE", "/applications/{applicationId}/experience/groups/{experienceGroupId}", "", 200},
	{"metrics.get", "GET", "/metrics", "", 200},
	{"events.get", "GET", "/applications/{applicationId}/events", "", 200},
	{"events.post", "POST", "/applications/{applicationId}/events", `{"level":"info","subject":"s"}`, 201},
	{"events.patch", "PATCH", "/applications/{applicationId}/events", `{"state":"acknowledged"}`, 200},
	{"events.delete", "POST", "/applications/{applicationId}/events/delete", `{"subject":"nothing"}`, 200},
	{"events.export", "POST", "/applications/{applicationId}/events/export", `{}`, 202},
	{"devices.export", "POST", "/applications/{applicationId}/devices/export", `{}`, 202},
	{"device.export", "POST", "/applications/{applicationId}/devices/{deviceId}/export", `{}`, 202},
	{"data.export", "POST", "/applications/{applicationId}/data/export", `{}`, 202},
	{"events.mostRecentBySeverity", "GET", "/applications/{applicationId}/events/mostRecentBySeverity", "", 200},
	{"event.get", "GET", "/applications/{applicationId}/events/{eventId}", "", 200},
	{"event.patch", "PATCH", "/applications/{applicationId}/events/{eventId}", `{"comment":"c"}`, 200},
	{"event.delete", "DELETE", "/applications/{applicationId}/events/{eventId}", "", 200},
	{"data.timeSeriesQuery", "POST", "/applications/{applicationId}/data/time-series-query", `{"deviceIds":["{deviceId}"]}`, 200},
	{"data.lastValueQuery", "POST", "/applications/{applicationId}/data/last-value-query", `{"attribute":"temp"}`, 200},
}

// matrixWeirScopes are the accepted scopes of the actions weir serves that
// scopes.json lacks, written out from weirActions in schema.go.
var matrixWeirScopes = map[string][]string{
	"flow.debug": {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization",
		"all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read",
		"flow.*", "flow.debug"},
	"flow.trace": {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization",
		"all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read",
		"flow.*", "flow.debug"},
	"flow.getLogEntry": {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization",
		"all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read",
		"flow.*", "flow.log", "flow.getLogEntry"},
	"flow.replay": {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded",
		"all.User", "all.User.bounded", "flow.*", "flow.replay"},
	"webhooks.get":              {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "webhooks.*", "webhooks.get"},
	"webhooks.post":             {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "webhooks.*", "webhooks.post"},
	"webhook.get":               {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "webhook.*", "webhook.get"},
	"webhook.patch":             {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "webhook.*", "webhook.patch"},
	"webhook.delete":            {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "webhook.*", "webhook.delete"},
	"experienceEndpoints.get":   {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "experienceEndpoints.*", "experienceEndpoints.get"},
	"experienceEndpoints.post":  {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "experienceEndpoints.*", "experienceEndpoints.post"},
	"experienceEndpoint.get":    {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "experienceEndpoint.*", "experienceEndpoint.get"},
	"experienceEndpoint.patch":  {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "experienceEndpoint.*", "experienceEndpoint.patch"},
	"experienceEndpoint.delete": {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "experienceEndpoint.*", "experienceEndpoint.delete"},
	"applicationKeys.get":       {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "applicationKeys.*", "applicationKeys.get"},
	"applicationKeys.post":      {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "applicationKeys.*", "applicationKeys.post"},
	"applicationKey.get":        {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "applicationKey.*", "applicationKey.get"},
	"applicationKey.patch":      {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "applicationKey.*", "applicationKey.patch"},
	"applicationKey.delete":     {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "applicationKey.*", "applicationKey.delete"},
	"metrics.get":               {"all.User", "all.User.read", "metrics.get"},
	"deviceRecipes.get":         {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "deviceRecipes.*", "deviceRecipes.get"},
	"deviceRecipes.post":        {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "deviceRecipes.*", "deviceRecipes.post"},
	"deviceRecipe.get":          {"all.Application", "all.Application.bounded", "all.Application.read", "all.Organization", "all.Organization.bounded", "all.Organization.read", "all.User", "all.User.bounded", "all.User.read", "deviceRecipe.*", "deviceRecipe.get"},
	"deviceRecipe.patch":        {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "deviceRecipe.*", "deviceRecipe.patch"},
	"deviceRecipe.delete":       {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "deviceRecipe.*", "deviceRecipe.delete"},
	"deviceRecipe.bulkCreate":   {"all.Application", "all.Application.bounded", "all.Organization", "all.Organization.bounded", "all.User", "all.User.bounded", "deviceRecipe.*", "deviceRecipe.bulkCreate"},
}

// matrixEnv is a fresh server and store for one cell of the matrix: apps A
// and B, a flow of A with a virtual button, a version v1 of it, a second
// token of A and a webhook of A (the targets of the single-item routes).
type matrixEnv struct {
	t         *testing.T
	server    *weirhttp.Server // to wait for its export jobs
	handler   http.Handler
	store     *memStore
	hooks     *memWebhooks
	endpoints *matrixEndpoints
	signer    *auth.Signer
	userID    string
	appA      string
	appB      string
	flow      *weir.Flow
	versionID string
	tokenID   string
	webhookID string
	endpoint  string // experience endpoint id
	devices   *memDevices
	deviceID  string // a device of A with a number attribute temp
	device2ID string // another device of A
	exp       *memExperience
	expUserID string // an experience user of A, in group expGroup
	expGroup  string // an experience group of A
	keyID     string // an unrestricted access key of A
	recipeID  string // a device recipe of A
	events    *mock.Events
	eventID   string // an event of A
	views     *memViews
	viewID    string // a page of A
	fileID    string // a file of A
	tables    *memTables
	tableID   string // a data table of A with a string column label
	rowID     string // a row of that table
	runID     string // a logged run of flow, its payload kept
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	t.Helper()
	ctx := t.Context()
	now := func() time.Time { return testNow }
	e := &matrixEnv{t: t, userID: weir.NewID(), store: newMemStore(now), hooks: newMemWebhooks(now), endpoints: &matrixEndpoints{now: now, m: map[string]weir.ExperienceEndpoint{}}}
	e.signer = &auth.Signer{Key: []byte("test key test key test key 12345"), Now: now}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Versions = e.store, e.store, e.store
	s.Tokens = &weirhttp.TokenCache{Tokens: e.store, Now: now} // every request after the first reads its token from memory
	s.Storage, s.Logs, s.Runs = e.store, e.store, e.store
	s.Signer, s.Now = e.signer, now
	s.Debug = &engine.DebugHub{}
	s.DeviceStreams = &engine.DeviceStreams{}
	s.Traces = &engine.TraceHub{}
	s.Webhooks = e.hooks
	s.Endpoints = e.endpoints
	e.devices = newMemDevices(now)
	s.Devices, s.States, s.Commands, s.Keys = e.devices, e.devices, e.devices, e.devices
	s.DeviceLogs, s.Recipes = e.devices, e.devices
	e.events = &mock.Events{Now: now}
	s.Events = e.events
	e.views = newMemViews(now)
	s.Views, s.Files, s.ExperienceVersions = e.views, e.views, e.views
	s.Data = e.devices
	e.tables = newMemTables(now)
	s.Tables = e.tables
	e.exp = newMemExperience(now)
	s.ExperienceUsers, s.ExperienceGroups = e.exp, e.exp
	s.ExperienceAuth = &auth.Experience{Users: e.exp, Key: []byte("experience key"), Now: now}
	s.Kept = &memKept{now: now}
	s.MaxBodyBytes = 64 << 10
	s.StopStreams() // a debug stream answers its headers and ends at once
	s.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("weir_up 1\n")) })
	e.handler = s.Handler()
	e.server = s

	h := &harness{t: t, userID: e.userID, store: e.store, signer: e.signer}
	e.appA, e.appB = h.mustApp("App A"), h.mustApp("App B")
	e.flow = h.mustFlow(e.appA, "Flow one")
	h.mustFlow(e.appB, "Flow of B")
	e.runID = weir.NewID()
	e.store.logs[e.flow.ID] = []*weir.LogEntry{{ID: e.runID, FlowID: e.flow.ID, Time: testNow, RunCount: 1,
		Payload: &weir.RunPayload{Kept: true, TriggerType: "virtualButton", TriggerKey: e.flow.Triggers[0].Key,
			TriggerID: e.flow.Triggers[0].Key, Data: json.RawMessage(`{"temp":41}`)}}}
	v := &weir.FlowVersion{ApplicationID: e.appA, FlowID: e.flow.ID, Version: "v1", Enabled: true, Definition: e.flow.Definition}
	if err := e.store.CreateFlowVersion(ctx, v, false); err != nil {
		t.Fatal(err)
	}
	e.versionID = v.ID
	target := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: e.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, Name: "target"}
	h.tokenRecord(target)
	e.tokenID = target.ID
	wh := &weir.Webhook{ApplicationID: e.appA, Name: "hook", ResponseCode: weir.DefaultWebhookResponseCode, VerificationType: weir.VerificationNone}
	if err := e.hooks.CreateWebhook(ctx, wh); err != nil {
		t.Fatal(err)
	}
	e.webhookID = wh.ID
	ep := &weir.ExperienceEndpoint{ApplicationID: e.appA, Route: "/users/{id}", Method: "get", Access: weir.EndpointAccessPublic, Enabled: true}
	if err := e.endpoints.CreateExperienceEndpoint(ctx, ep); err != nil {
		t.Fatal(err)
	}
	e.endpoint = ep.ID
	for _, dst := range []*string{&e.deviceID, &e.device2ID} {
		d := &weir.Device{ApplicationID: e.appA, Name: "device", DeviceClass: weir.DeviceStandalone,
			Attributes: []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}}}
		if err := e.devices.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		*dst = d.ID
	}
	k := &weir.ApplicationKey{ApplicationID: e.appA, Key: "matrix-key", SecretHash: "unused", Status: weir.KeyActive}
	if err := e.devices.CreateApplicationKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	e.keyID = k.ID
	rc := &weir.DeviceRecipe{ApplicationID: e.appA, Name: "recipe"}
	if err := e.devices.CreateDeviceRecipe(ctx, rc); err != nil {
		t.Fatal(err)
	}
	e.recipeID = rc.ID
	ev := &weir.Event{ApplicationID: e.appA, Level: weir.EventInfo, Subject: "seed"}
	if err := e.events.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	e.eventID = ev.ID
	page := &weir.ExperienceView{ApplicationID: e.appA, Name: "home", ViewType: weir.ViewPage, Body: "hi"}
	file := &weir.ApplicationFile{ApplicationID: e.appA, Name: "site.css", Type: weir.FileTypeFile}
	if e.views.CreateExperienceView(ctx, page) != nil || e.views.CreateApplicationFile(ctx, file) != nil {
		t.Fatal("seeding a view and a file failed")
	}
	e.viewID, e.fileID = page.ID, file.ID
	tb := &weir.DataTable{ApplicationID: e.appA, Name: "table",
		Columns: []weir.DataTableColumn{{Name: "label", DataType: weir.ColumnString, Constraint: weir.ColumnOptional}}}
	if err := e.tables.CreateDataTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	rows, err := e.tables.InsertDataTableRows(ctx, e.appA, tb.ID, []map[string]any{{"label": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	e.tableID, e.rowID = tb.ID, rows[0].ID
	g := &weir.ExperienceGroup{ApplicationID: e.appA, Name: "staff"}
	if err := e.exp.CreateExperienceGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	u := &weir.ExperienceUser{ApplicationID: e.appA, Email: "ann@example.com", PasswordHash: "unused", GroupIDs: []string{g.ID}}
	if err := e.exp.CreateExperienceUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	e.expUserID, e.expGroup = u.ID, g.ID
	if err := e.store.SetStorageEntry(ctx, e.flow.ID, "seed", json.RawMessage(`1`)); err != nil {
		t.Fatal(err)
	}
	return e
}

// harness returns a harness over e's store, for its token helpers.
func (e *matrixEnv) harness() *harness {
	return &harness{t: e.t, userID: e.userID, store: e.store, signer: e.signer}
}

// request fills rt's path and body with e's ids and serves it.
func (e *matrixEnv) request(rt matrixRoute, tok string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.requestQuery(rt, tok, "")
}

// requestQuery is request with rawQuery, verbatim, as the URL's query.
func (e *matrixEnv) requestQuery(rt matrixRoute, tok, rawQuery string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := strings.NewReplacer("{applicationId}", e.appA, "{flowId}", e.flow.ID, "{apiTokenId}", e.tokenID,
		"{flowVersionId}", e.versionID, "{webhookId}", e.webhookID, "{experienceEndpointId}", e.endpoint, "{button}", e.flow.Triggers[0].Key,
		"{deviceId}", e.deviceID, "{applicationKeyId}", e.keyID, "{deviceRecipeId}", e.recipeID,
		"{experienceViewId}", e.viewID, "{fileId}", e.fileID, "{experienceVersionIdOrName}", weir.DevelopVersion,
		"{dataTableId}", e.tableID, "{rowId}", e.rowID, "{eventId}", e.eventID,
		"{experienceUserId}", e.expUserID, "{experienceGroupId}", e.expGroup, "{runId}", e.runID)
	req := httptest.NewRequestWithContext(e.t.Context(), rt.method, r.Replace(rt.path), strings.NewReader(r.Replace(rt.body)))
	if rawQuery != "" {
		req.URL.RawQuery = rawQuery
		req.RequestURI = req.URL.RequestURI()
	}
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(rt.body, "--"+importBoundary) {
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+importBoundary)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	return w
}

// storeSnapshot is a deep copy of everything the fake stores hold.
type storeSnapshot struct {
	Apps     map[string]*weir.Application
	Flows    map[string]*weir.Flow
	Versions map[string]*weir.FlowVersion
	Tokens   map[string]*weir.Token
	Storage  map[string]map[string]string
	Logs     map[string][]weir.LogEntry
	Runs     []weir.Run
	Webhooks map[string]weir.Webhook
	Endpoint map[string]weir.ExperienceEndpoint
	Devices  *memDevices
	Events   []*weir.Event
	Views    *memViews
	Tables   *memTables
	Exp      *memExperience
}

// snapshot copies the state of e's stores.
func (e *matrixEnv) snapshot() storeSnapshot {
	m := e.store
	m.mu.Lock()
	defer m.mu.Unlock()
	s := storeSnapshot{
		Apps: map[string]*weir.Application{}, Flows: map[string]*weir.Flow{}, Versions: map[string]*weir.FlowVersion{},
		Tokens: map[string]*weir.Token{}, Storage: map[string]map[string]string{}, Logs: map[string][]weir.LogEntry{},
		Webhooks: map[string]weir.Webhook{},
	}
	for k, v := range m.apps {
		s.Apps[k] = cloneApp(v)
	}
	for k, v := range m.flows {
		s.Flows[k] = cloneFlow(v)
	}
	for k, v := range m.vers {
		s.Versions[k] = cloneVersion(v)
	}
	for k, v := range m.tokens {
		s.Tokens[k] = cloneToken(v)
	}
	for k, entries := range m.storage {
		s.Storage[k] = map[string]string{}
		for key, v := range entries {
			s.Storage[k][key] = string(v)
		}
	}
	for k, entries := range m.logs {
		for _, l := range entries {
			s.Logs[k] = append(s.Logs[k], *l)
		}
	}
	for _, r := range m.runs {
		s.Runs = append(s.Runs, *r)
	}
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	for k, v := range e.hooks.m {
		s.Webhooks[k] = *v
	}
	e.endpoints.mu.Lock()
	defer e.endpoints.mu.Unlock()
	s.Endpoint = maps.Clone(e.endpoints.m)
	s.Devices = e.devices.clone()
	s.Devices.now = nil // funcs are never DeepEqual
	s.Events = e.events.Snapshot()
	s.Views = e.views.clone()
	s.Tables = e.tables.clone()
	s.Tables.now = nil
	s.Exp = e.exp.clone()
	return s
}

// restore puts e's stores back to the state s copied, so that one env can
// serve many requests (the fuzz targets build it once).
func (e *matrixEnv) restore(s storeSnapshot) {
	e.server.WaitExports(context.Background()) // a 202 export's job writes its file after the answer
	m := e.store
	m.mu.Lock()
	m.apps, m.flows, m.vers, m.tokens = map[string]*weir.Application{}, map[string]*weir.Flow{}, map[string]*weir.FlowVersion{}, map[string]*weir.Token{}
	m.storage, m.logs, m.runs = map[string]map[string]json.RawMessage{}, map[string][]*weir.LogEntry{}, nil
	for k, v := range s.Apps {
		m.apps[k] = cloneApp(v)
	}
	for k, v := range s.Flows {
		m.flows[k] = cloneFlow(v)
	}
	for k, v := range s.Versions {
		m.vers[k] = cloneVersion(v)
	}
	for k, v := range s.Tokens {
		m.tokens[k] = cloneToken(v)
	}
	for k, entries := range s.Storage {
		m.storage[k] = map[string]json.RawMessage{}
		for key, v := range entries {
			m.storage[k][key] = json.RawMessage(v)
		}
	}
	for k, entries := range s.Logs {
		for _, l := range entries {
			m.logs[k] = append(m.logs[k], &l)
		}
	}
	for _, r := range s.Runs {
		m.runs = append(m.runs, &r)
	}
	m.mu.Unlock()
	e.hooks.mu.Lock()
	e.hooks.m = map[string]*weir.Webhook{}
	for k, v := range s.Webhooks {
		e.hooks.m[k] = &v
	}
	e.hooks.mu.Unlock()
	e.endpoints.mu.Lock()
	e.endpoints.m = maps.Clone(s.Endpoint)
	e.endpoints.mu.Unlock()
	restored := s.Devices.clone()
	e.devices.mu.Lock()
	e.devices.Devices, e.devices.States, e.devices.Commands, e.devices.Keys = restored.Devices, restored.States, restored.Commands, restored.Keys
	e.devices.Logs, e.devices.Recipes = restored.Logs, restored.Recipes
	e.devices.mu.Unlock()
	e.events.Restore(s.Events)
	restoredViews := s.Views.clone()
	e.views.mu.Lock()
	e.views.Views, e.views.Files, e.views.Contents, e.views.Versions = restoredViews.Views, restoredViews.Files, restoredViews.Contents,
		restoredViews.Versions
	e.views.mu.Unlock()
	tables := s.Tables.clone()
	e.tables.mu.Lock()
	e.tables.Tables, e.tables.Rows = tables.Tables, tables.Rows
	e.tables.mu.Unlock()
	exp := s.Exp.clone()
	e.exp.mu.Lock()
	e.exp.Users, e.exp.Groups = exp.Users, exp.Groups
	e.exp.mu.Unlock()
}

// tokenKind is a column of the matrix: how to make the token, and whether a
// route allows it.
type tokenKind struct {
	name  string
	token func(e *matrixEnv) string
	// expect returns the status a route answers to this token when it is
	// allowed with success status ok.
	expect func(rt matrixRoute, accepted map[string]bool) int
}

// appScoped reports whether rt names an application.
func (rt matrixRoute) appScoped() bool {
	return strings.HasPrefix(rt.path, "/applications/{applicationId}")
}

// scopedKind is a token of application A (or of the user) with one scope,
// allowed where the action accepts that scope.
func scopedKind(name string, user bool, scope string) tokenKind {
	return tokenKind{
		name: name,
		token: func(e *matrixEnv) string {
			if user {
				return e.harness().token(weir.OwnerUser, e.userID, scope)
			}
			return e.harness().token(weir.OwnerApplication, e.appA, scope)
		},
		expect: func(rt matrixRoute, accepted map[string]bool) int {
			if accepted[scope] && (user || rt.appScoped()) {
				return rt.status
			}
			return http.StatusForbidden
		},
	}
}

// badKind is a token that fails authentication with 401.
func badKind(name string, token func(e *matrixEnv) string) tokenKind {
	return tokenKind{name: name, token: token, expect: func(matrixRoute, map[string]bool) int { return http.StatusUnauthorized }}
}

// matrixKinds returns the columns for rt: the fixed token kinds, every
// <resource>.* of the route table and the single action scopes rt accepts.
func matrixKinds(rt matrixRoute, accepted map[string]bool) []tokenKind {
	kinds := []tokenKind{
		scopedKind("all.User", true, "all.User"),
		scopedKind("all.Application", false, "all.Application"),
		scopedKind("all.Application.read", false, "all.Application.read"),
	}
	var resources []string
	for _, r := range matrixRoutes {
		res, _, _ := strings.Cut(r.action, ".")
		if !slices.Contains(resources, res) {
			resources = append(resources, res)
		}
	}
	for _, res := range resources {
		kinds = append(kinds, scopedKind(res+".*", false, res+".*"))
	}
	for _, sc := range sortedKeys(accepted) {
		if !strings.HasPrefix(sc, "all.") && !strings.HasPrefix(sc, "only.") && !strings.HasSuffix(sc, ".*") {
			kinds = append(kinds, scopedKind("own:"+sc, false, sc))
		}
	}
	kinds = append(kinds,
		tokenKind{
			name:  "otherApplication",
			token: func(e *matrixEnv) string { return e.harness().token(weir.OwnerApplication, e.appB, "all.Application") },
			expect: func(rt matrixRoute, accepted map[string]bool) int {
				if !rt.appScoped() || !accepted["all.Application"] {
					return http.StatusForbidden
				}
				return http.StatusNotFound
			},
		},
		badKind("expired", func(e *matrixEnv) string {
			exp := testNow.Add(-time.Minute)
			return e.harness().tokenRecord(&weir.Token{OwnerType: weir.OwnerApplication, OwnerID: e.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, ExpirationDate: &exp})
		}),
		badKind("expiredRecord", func(e *matrixEnv) string {
			// The JWT has no exp; only the stored record has expired.
			tok := e.harness().token(weir.OwnerApplication, e.appA, "all.Application")
			exp := testNow.Add(-time.Minute)
			e.store.mu.Lock()
			e.store.tokens[e.harness().tokenID(tok)].ExpirationDate = &exp
			e.store.mu.Unlock()
			return tok
		}),
		badKind("revoked", func(e *matrixEnv) string {
			tok := e.harness().token(weir.OwnerApplication, e.appA, "all.Application")
			if err := e.store.DeleteToken(e.t.Context(), e.harness().tokenID(tok)); err != nil {
				e.t.Fatal(err)
			}
			return tok
		}),
		badKind("inactive", func(e *matrixEnv) string {
			return e.harness().tokenRecord(&weir.Token{OwnerType: weir.OwnerApplication, OwnerID: e.appA, Scope: []string{"all.Application"}, Status: weir.TokenInactive})
		}),
		badKind("tampered", func(e *matrixEnv) string {
			// A read-only token whose payload claims all.User, signature kept.
			tok := e.harness().token(weir.OwnerApplication, e.appA, "all.Application.read")
			return tamper(e.t, tok, func(c map[string]any) { c["scope"] = []string{"all.User"}; c["ownerType"] = weir.OwnerUser })
		}),
		badKind("otherKey", func(e *matrixEnv) string {
			t := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerApplication, OwnerID: e.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, Name: "forged"}
			if err := e.store.CreateToken(e.t.Context(), t); err != nil {
				e.t.Fatal(err)
			}
			other := &auth.Signer{Key: []byte("another key, another key, 12345"), Now: e.signer.Now}
			s, err := other.Sign(t)
			if err != nil {
				e.t.Fatal(err)
			}
			return s
		}),
		tokenKind{
			// The device's own token (POST /auth/device): device routes
			// of its own device and the device collection.
			name:  "device",
			token: func(e *matrixEnv) string { return e.deviceToken(e.deviceID) },
			expect: func(rt matrixRoute, accepted map[string]bool) int {
				if accepted["all.Device"] && rt.appScoped() {
					return rt.status
				}
				return http.StatusForbidden
			},
		},
		tokenKind{
			// Another device's token reaches no other device.
			name:  "otherDevice",
			token: func(e *matrixEnv) string { return e.deviceToken(e.device2ID) },
			expect: func(rt matrixRoute, accepted map[string]bool) int {
				if accepted["all.Device"] && rt.appScoped() && !strings.Contains(rt.path, "{deviceId}") {
					return rt.status
				}
				return http.StatusForbidden
			},
		},
		tokenKind{name: "none", token: func(*matrixEnv) string { return "" },
			expect: func(matrixRoute, map[string]bool) int { return http.StatusForbidden }},
	)
	return kinds
}

var base64URL = base64.RawURLEncoding

// tamper rewrites the payload of a JWT, keeping its header and signature.
func tamper(t *testing.T, tok string, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	raw, err := base64URL.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	raw, err = json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64URL.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// loadAccepted returns each action's accepted scopes: scopes.json plus weir's
// own actions.
func loadAccepted(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile("schemas/scopes.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Actions map[string]struct {
			Scopes []string `json:"scopes"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for a, v := range doc.Actions {
		out[a] = setOf(v.Scopes)
	}
	for a, v := range matrixWeirScopes {
		out[a] = setOf(v)
	}
	return out
}

// TestAuthzMatrix sends a valid request to every route with every kind of
// token and checks the status of each cell, and that a denied request leaves
// the stores untouched.
func TestAuthzMatrix(t *testing.T) {
	accepted := loadAccepted(t)
	var allowed, denied atomic.Int64
	t.Run("Routes", func(t *testing.T) {
		for _, rt := range matrixRoutes {
			acc, ok := accepted[rt.action]
			if !ok {
				t.Errorf("%s: no accepted scopes in scopes.json or matrixWeirScopes", rt.action)
				continue
			}
			t.Run(rt.action, func(t *testing.T) {
				t.Parallel()
				for _, k := range matrixKinds(rt, acc) {
					t.Run(k.name, func(t *testing.T) {
						e := newMatrixEnv(t)
						tok := k.token(e)
						want := k.expect(rt, acc)
						before := e.snapshot()
						w := e.request(rt, tok)
						if w.Code != want {
							t.Fatalf("%s %s with %s = %d, want %d; body %s", rt.method, rt.path, k.name, w.Code, want, w.Body)
						}
						if want == rt.status {
							allowed.Add(1)
							return
						}
						denied.Add(1)
						checkDenial(t, want, w)
						if after := e.snapshot(); !reflect.DeepEqual(before, after) {
							b1, _ := json.Marshal(before)
							b2, _ := json.Marshal(after)
							t.Errorf("denied %s %s with %s changed the stores:\nbefore %s\nafter  %s", rt.method, rt.path, k.name, b1, b2)
						}
					})
				}
			})
		}
	})
	t.Logf("authorization matrix: %d routes, %d cells: %d allowed, %d denied",
		len(matrixRoutes), allowed.Load()+denied.Load(), allowed.Load(), denied.Load())
}

// TestAuthzOrder checks Losant's processing order on every route: an
// invalid request is 400 whatever the token (validation comes first), and an
// other application's token without an accepted scope is 403, not 404
// (authorization comes before the lookup). Neither changes anything.
func TestAuthzOrder(t *testing.T) {
	accepted := loadAccepted(t)
	for _, rt := range matrixRoutes {
		if rt.action == "metrics.get" {
			continue // takes no parameter or body, so no request to it is invalid
		}
		t.Run(rt.action, func(t *testing.T) {
			t.Parallel()
			bad := rt
			switch {
			case rt.body != "":
				bad.body = `{"unterminated":`
			case rt.appScoped():
				bad.path = strings.Replace(rt.path, "{applicationId}", "not-an-id", 1)
			default:
				bad.path += "?perPage=0"
			}
			kinds := map[string]func(e *matrixEnv) string{
				"none":     func(*matrixEnv) string { return "" },
				"all.User": func(e *matrixEnv) string { return e.harness().token(weir.OwnerUser, e.userID, "all.User") },
				"otherApplication": func(e *matrixEnv) string {
					return e.harness().token(weir.OwnerApplication, e.appB, "all.Application")
				},
				"expired": func(e *matrixEnv) string {
					exp := testNow.Add(-time.Minute)
					return e.harness().tokenRecord(&weir.Token{OwnerType: weir.OwnerApplication, OwnerID: e.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, ExpirationDate: &exp})
				},
				"garbage": func(*matrixEnv) string { return "not.a.jwt" },
			}
			for _, name := range slices.Sorted(maps.Keys(kinds)) {
				e := newMatrixEnv(t)
				tok := kinds[name](e)
				before := e.snapshot()
				if w := e.request(bad, tok); w.Code != http.StatusBadRequest {
					t.Errorf("invalid %s %s with %s = %d, want 400; body %s", bad.method, bad.path, name, w.Code, w.Body)
				}
				if !reflect.DeepEqual(before, e.snapshot()) {
					t.Errorf("invalid %s %s with %s changed the stores", bad.method, bad.path, name)
				}
			}
			if !rt.appScoped() {
				return
			}
			// A scope of another resource, accepted nowhere on rt.
			scope := "device.*"
			for _, sc := range []string{"all.Application.read", "webhook.*", "flow.*"} {
				if !accepted[rt.action][sc] {
					scope = sc
					break
				}
			}
			e := newMatrixEnv(t)
			tok := e.harness().token(weir.OwnerApplication, e.appB, scope)
			before := e.snapshot()
			w := e.request(rt, tok)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s %s with application B's %s token = %d, want 403; body %s", rt.method, rt.path, scope, w.Code, w.Body)
			}
			if !reflect.DeepEqual(before, e.snapshot()) {
				t.Errorf("forbidden %s %s changed the stores", rt.method, rt.path)
			}
		})
	}
}

// checkDenial checks a denied answer's error type and message.
func checkDenial(t *testing.T, status int, w *httptest.ResponseRecorder) {
	t.Helper()
	want := map[int]weir.ErrorType{401: weir.Unauthorized, 403: weir.Forbidden, 404: weir.NotFound}[status]
	var body struct {
		Type    weir.ErrorType `json:"type"`
		Message string         `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Type != want || body.Message == "" {
		t.Errorf("denial body %s, want type %s with a message", w.Body, want)
	}
	if status == http.StatusNotFound && body.Message != "Application was not found" {
		t.Errorf("other application's token: message %q, want %q", body.Message, "Application was not found")
	}
}

// TestAuthzMatrixCoversRoutes fails when routes.go registers a route the
// matrix lacks, or the matrix names one routes.go does not register.
func TestAuthzMatrixCoversRoutes(t *testing.T) {
	got := registeredRoutes(t, "routes.go")
	var want []string
	for _, rt := range matrixRoutes {
		path, _, _ := strings.Cut(rt.path, "?") // a required query parameter, given
		want = append(want, rt.action+" "+rt.method+" "+path)
	}
	sort.Strings(want)
	for _, r := range got {
		if !slices.Contains(want, r) {
			t.Errorf("routes.go registers %q; add it to matrixRoutes", r)
		}
	}
	for _, r := range want {
		if !slices.Contains(got, r) {
			t.Errorf("matrixRoutes has %q; routes.go does not register it", r)
		}
	}
}

// registeredRoutes parses file for the composite literals with an action
// key and returns "action METHOD path" for each, evaluating the path's
// string constants.
func registeredRoutes(t *testing.T, file string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]ast.Expr{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					consts[n.Name] = vs.Values[i]
				}
			}
		}
	}
	var eval func(ast.Expr) string
	eval = func(x ast.Expr) string {
		switch x := x.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(x.Pos()), err)
			}
			return s
		case *ast.Ident:
			c, ok := consts[x.Name]
			if !ok {
				t.Fatalf("%s: %s is not a string constant of %s", fset.Position(x.Pos()), x.Name, file)
			}
			return eval(c)
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				return eval(x.X) + eval(x.Y)
			}
		case *ast.ParenExpr:
			return eval(x.X)
		}
		t.Fatalf("%s: cannot evaluate route field", fset.Position(x.Pos()))
		return ""
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		fields := map[string]ast.Expr{}
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok {
					fields[k.Name] = kv.Value
				}
			}
		}
		if fields["action"] == nil {
			return true
		}
		if fields["method"] == nil || fields["path"] == nil {
			t.Fatalf("%s: route without method or path", fset.Position(cl.Pos()))
		}
		out = append(out, eval(fields["action"])+" "+eval(fields["method"])+" "+eval(fields["path"]))
		return true
	})
	if len(out) == 0 {
		t.Fatalf("found no routes in %s", file)
	}
	sort.Strings(out)
	return out
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// matrixEndpoints is an in-memory weir.ExperienceEndpointService, enough
// for the matrix: no sorting or filtering.
type matrixEndpoints struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]weir.ExperienceEndpoint
}

func errEndpointNotFound() error {
	return weir.Errorf(weir.NotFound, "Experience endpoint was not found")
}

func (s *matrixEndpoints) FindExperienceEndpointByID(_ context.Context, appID, id string) (*weir.ExperienceEndpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok || e.ApplicationID != appID {
		return nil, errEndpointNotFound()
	}
	return &e, nil
}

func (s *matrixEndpoints) FindExperienceEndpoints(_ context.Context, f weir.ExperienceEndpointFilter) ([]*weir.ExperienceEndpoint, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*weir.ExperienceEndpoint
	for _, e := range s.m {
		if e.ApplicationID == f.ApplicationID {
			out = append(out, &e)
		}
	}
	slices.SortFunc(out, func(a, b *weir.ExperienceEndpoint) int { return strings.Compare(a.Route+a.ID, b.Route+b.ID) })
	return page(out, f.ListOptions), len(out), nil
}

func (s *matrixEndpoints) CreateExperienceEndpoint(_ context.Context, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.m {
		if old.ApplicationID == e.ApplicationID && old.Method == e.Method && old.RouteKey() == e.RouteKey() {
			return weir.Errorf(weir.Validation, "an endpoint with this method and route exists")
		}
	}
	if e.ID == "" {
		e.ID = weir.NewID()
	}
	e.CreationDate, e.LastUpdated = s.now(), s.now()
	s.m[e.ID] = *e
	return nil
}

func (s *matrixEndpoints) UpdateExperienceEndpoint(_ context.Context, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.m[e.ID]
	if !ok || old.ApplicationID != e.ApplicationID {
		return errEndpointNotFound()
	}
	e.CreationDate, e.LastUpdated = old.CreationDate, s.now()
	s.m[e.ID] = *e
	return nil
}

func (s *matrixEndpoints) DeleteExperienceEndpoint(_ context.Context, appID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[id]; !ok || e.ApplicationID != appID {
		return errEndpointNotFound()
	}
	delete(s.m, id)
	return nil
}

var _ weir.ExperienceEndpointService = (*matrixEndpoints)(nil)

// deviceToken returns a device token of deviceID, signed for e's access key
// as POST /auth/device signs it.
func (e *matrixEnv) deviceToken(deviceID string) string {
	e.t.Helper()
	tok, err := e.signer.Sign(&weir.Token{ID: e.keyID, OwnerID: deviceID, OwnerType: weir.OwnerDevice, Scope: []string{"all.Device"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}
