package http_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func TestValidation(t *testing.T) {
	h := newHarness(t)
	app, flow := h.appA, h.flow.ID
	fp := h.flowPath
	big := strings.Repeat("x", 256)
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		token   string // default: user token
		wantMsg string
	}{
		{"ErrAppIDPattern", "GET", "/applications/xyz", nil, "", "applicationId pattern mismatch"},
		{"ErrFlowIDPattern", "GET", "/applications/" + app + "/flows/123", nil, "", "flowId pattern mismatch"},
		{"ErrTokenIDPattern", "GET", "/applications/" + app + "/tokens/zzzzzzzzzzzzzzzzzzzzzzzz", nil, "", "apiTokenId pattern mismatch"},
		{"ErrBadIDBeforeBadToken", "GET", "/applications/xyz/flows", nil, "garbage", "applicationId pattern mismatch"},
		{"ErrBadIDWithoutToken", "DELETE", "/applications/" + app + "/flows/nope", nil, "-", "flowId pattern mismatch"},
		{"ErrMalformedJSON", "PATCH", fp(""), `{"name":`, "", "flow is not valid JSON"},
		{"ErrTrailingJSON", "PATCH", fp(""), `{"name":"a"} {}`, "", "flow is not valid JSON"},
		{"ErrBodyMissing", "POST", fp("/virtualButton"), nil, "", "button is required"},
		{"ErrKeyRequired", "POST", fp("/virtualButton"), `{"payload":1}`, "", "button.key is required"},
		{"ErrButtonExtra", "POST", fp("/virtualButton"), `{"key":"k","nope":1}`, "", "button has additional properties"},
		{"ErrButtonKeyType", "POST", fp("/virtualButton"), `{"key":5}`, "", "button.key is the wrong type"},
		{"ErrButtonVersionLength", "POST", fp("/virtualButton"), `{"key":"k","flowVersion":""}`, "", "button.flowVersion has less length than allowed"},
		{"ErrButtonDevicePattern", "POST", fp("/virtualButton"), `{"key":"k","deviceId":"x"}`, "", "button.deviceId pattern mismatch"},
		{"ErrFlowPatchExtra", "PATCH", fp(""), `{"flowClass":"edge"}`, "", "flow has additional properties"},
		{"ErrFlowPatchNameType", "PATCH", fp(""), `{"name":5}`, "", "flow.name is the wrong type"},
		{"ErrFlowPatchNameLength", "PATCH", fp(""), `{"name":"` + big + `"}`, "", "flow.name has longer length than allowed"},
		{"ErrFlowPatchCategory", "PATCH", fp(""), `{"category":"nope"}`, "", "flow.category must be an enum value"},
		{"ErrFlowPatchNodeType", "PATCH", fp(""), `{"nodes":[{"id":"a"}]}`, "", "flow.nodes.0.type is required"},
		{"ErrFlowPatchTrigger", "PATCH", fp(""), `{"triggers":[{"type":"nope"}]}`, "", "flow.triggers.0 no (or more than one) schemas match"},
		{"ErrFlowPatchTriggerConfig", "PATCH", fp(""), `{"triggers":[{"type":"virtualButton","config":{"x":1}}]}`, "", "flow.triggers.0.config has additional properties"},
		{"ErrFlowPatchTimerConfig", "PATCH", fp(""), `{"triggers":[{"type":"timer","config":{"seconds":"soon"}}]}`, "", ""},
		{"ErrFlowPatchWiring", "PATCH", fp(""), `{"nodes":[{"id":"a","type":"DebugNode","outputIds":[["missing"]]}]}`, "", "Referenced output ID missing does not exist."},
		{"ErrFlowPatchDefaultVersion", "PATCH", fp(""), `{"defaultVersionId":"` + flow + `"}`, "", ""},
		{"ErrFlowsPostName", "POST", "/applications/" + app + "/flows", `{"description":"x"}`, "", "flow.name is required"},
		{"ErrFlowsPostClass", "POST", "/applications/" + app + "/flows", `{"name":"x","flowClass":"moon"}`, "", "flow.flowClass must be an enum value"},
		{"ErrFlowsPostSelfLoop", "POST", "/applications/" + app + "/flows", `{"name":"x","nodes":[{"id":"a","type":"DebugNode","outputIds":[["a"]]}]}`, "", "A node cannot connect to itself."},
		{"ErrStorageKeyRequired", "PATCH", fp("/storage"), `{"value":1}`, "", "entry.key is required"},
		{"ErrStorageKeyEmpty", "PATCH", fp("/storage"), `{"key":"","value":1}`, "", "entry.key has less length than allowed"},
		{"ErrStorageValueSize", "PATCH", fp("/storage"), `{"key":"k","value":"` + strings.Repeat("v", weir.MaxStorageValueSize) + `"}`, "", ""},
		{"ErrAppPostName", "POST", "/applications", `{}`, "", "application.name is required"},
		{"ErrAppPostOrg", "POST", "/applications", `{"name":"a","orgId":"` + app + `"}`, "", ""},
		{"ErrAppPatchExtra", "PATCH", "/applications/" + app, `{"owner":"me"}`, "", "application has additional properties"},
		{"ErrAppPatchGlobals", "PATCH", "/applications/" + app, `{"globals":[{"key":"bad key","json":"1"}]}`, "", "application.globals.0.key pattern mismatch"},
		{"ErrTokenPostScope", "POST", "/applications/" + app + "/tokens", `{"name":"t","scope":["all.User"]}`, "", ""},
		{"ErrTokenPostScopeOrg", "POST", "/applications/" + app + "/tokens", `{"name":"t","scope":["flow.*","all.Organization"]}`, "", "apiToken.scope.1 must be an enum value"},
		{"ErrTokenPostScopeUnique", "POST", "/applications/" + app + "/tokens", `{"name":"t","scope":["flow.*","flow.*"]}`, "", "apiToken.scope must be unique"},
		{"ErrTokenPostExpiry", "POST", "/applications/" + app + "/tokens", `{"name":"t","expirationDate":"tomorrow"}`, "", "apiToken.expirationDate must be date-time format"},
		{"ErrTokenPatchStatus", "PATCH", "/applications/" + app + "/tokens/" + app, `{"status":"paused"}`, "", "apiToken.status must be an enum value"},
		{"ErrTokenPatchScope", "PATCH", "/applications/" + app + "/tokens/" + app, `{"scope":["all.Application"]}`, "", "apiToken has additional properties"},
		{"ErrLogsLimitZero", "GET", fp("/logs?limit=0"), nil, "", "limit is less than minimum"},
		{"ErrLogsLimitHuge", "GET", fp("/logs?limit=10001"), nil, "", "limit is more than maximum"},
		{"ErrLogsLimitType", "GET", fp("/logs?limit=ten"), nil, "", "limit is the wrong type"},
		{"ErrLogsSince", "GET", fp("/logs?since=yesterday"), nil, "", "since is the wrong type"},
		{"ErrFlowsPerPage", "GET", "/applications/" + app + "/flows?perPage=abc", nil, "", "perPage is the wrong type"},
		{"ErrFlowsPerPageMax", "GET", "/applications/" + app + "/flows?perPage=1001", nil, "", "perPage is more than maximum"},
		{"ErrFlowsSortField", "GET", "/applications/" + app + "/flows?sortField=bogus", nil, "", "sortField must be an enum value"},
		{"ErrFlowsSortDirection", "GET", "/applications/" + app + "/flows?sortDirection=up", nil, "", "sortDirection must be an enum value"},
		{"ErrFlowsFlowClass", "GET", "/applications/" + app + "/flows?flowClass=moon", nil, "", "flowClass must be an enum value"},
		{"ErrFlowsQuery", "GET", "/applications/" + app + "/flows?query=%7Bx", nil, "", "query is not valid JSON"},
		{"ErrFlowsTriggerFilter", "GET", "/applications/" + app + "/flows?triggerFilter[0]=webhook", nil, "", "triggerFilter is the wrong type"},
		{"ErrAppsOrgID", "GET", "/applications?orgId=123", nil, "", "orgId pattern mismatch"},
		{"ErrFlowGetCustomNodes", "GET", fp("?includeCustomNodes=maybe"), nil, "", "includeCustomNodes is the wrong type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token
			switch tok {
			case "":
				tok = h.user
			case "-":
				tok = ""
			}
			status, b := h.do(tc.method, tc.path, tok, tc.body)
			wantError(t, status, b, http.StatusBadRequest, weir.Validation, tc.wantMsg)
		})
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	path := h.flowPath("")

	parts := strings.Split(h.tokA, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"all.Application"`, `"all.User"`, 1))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	past := testNow.Add(-time.Hour)
	expiredJWT := h.tokenRecord(&weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, ExpirationDate: &past})

	inactive := h.tokenRecord(&weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenInactive})

	deletedRec := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive}
	deleted := h.tokenRecord(deletedRec)
	if err := h.store.DeleteToken(t.Context(), deletedRec.ID); err != nil {
		t.Fatal(err)
	}

	// A record whose scope was narrowed after signing no longer matches.
	changedRec := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive}
	changed := h.tokenRecord(changedRec)
	changedRec.Scope = []string{"all.Application.read"}
	if err := h.store.UpdateToken(t.Context(), changedRec); err != nil {
		t.Fatal(err)
	}

	// Expiry recorded on the record only (the JWT has no exp).
	recExpRec := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive}
	recExp := h.tokenRecord(recExpRec)
	recExpRec.ExpirationDate = &past
	if err := h.store.UpdateToken(t.Context(), recExpRec); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		token   string
		wantMsg string
	}{
		{"ErrGarbage", "garbage", "Invalid access token"},
		{"ErrTampered", tampered, "Invalid access token"},
		{"ErrExpiredJWT", expiredJWT, "Access token has expired"},
		{"ErrExpiredRecord", recExp, "Access token has expired"},
		{"ErrInactive", inactive, "Invalid access token"},
		{"ErrDeleted", deleted, "Invalid access token"},
		{"ErrRecordChanged", changed, "Invalid access token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", path, tc.token, nil)
			wantError(t, status, b, http.StatusUnauthorized, weir.Unauthorized, tc.wantMsg)
		})
	}

	t.Run("OKTokenForms", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			query  string
			header string
		}{
			{"QueryAccessToken", "?access_token=" + h.tokA, ""},
			{"QueryJWT", "?jwt=" + h.tokA, ""},
			{"HeaderJWT", "", "JWT " + h.tokA},
			{"HeaderLowerBearer", "", "bearer " + h.tokA},
			{"QueryWinsOverHeader", "?access_token=" + h.tokA, "Bearer garbage"},
		} {
			hdr := http.Header{}
			if tc.header != "" {
				hdr.Set("Authorization", tc.header)
			}
			resp := h.send("GET", path+tc.query, "", nil, hdr)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status = %d, want 200", tc.name, resp.StatusCode)
			}
		}
	})
}

func TestAuthorization(t *testing.T) {
	h := newHarness(t)
	readTok := h.token(weir.OwnerApplication, h.appA, "all.Application.read")
	flowGet := h.token(weir.OwnerApplication, h.appA, "flow.get")
	device := h.token(weir.OwnerApplication, h.appA, "all.Device")
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		token  string
	}{
		{"ErrNoToken", "GET", h.flowPath(""), nil, ""},
		{"ErrNoTokenApplications", "GET", "/applications", nil, ""},
		{"ErrUnsupportedScheme", "GET", h.flowPath(""), nil, "-basic"},
		{"ErrLackingScope", "GET", h.flowPath(""), nil, device},
		{"ErrReadTokenPatch", "PATCH", h.flowPath(""), `{"name":"x"}`, readTok},
		{"ErrReadTokenPress", "POST", h.flowPath("/virtualButton"), `{"key":"k"}`, readTok},
		{"ErrReadTokenStorageSet", "PATCH", h.flowPath("/storage"), `{"key":"k","value":1}`, readTok},
		{"ErrFlowGetTokenPatch", "PATCH", h.flowPath(""), `{"name":"x"}`, flowGet},
		{"ErrAppTokenListsApplications", "GET", "/applications", nil, h.tokA},
		{"ErrAppTokenCreatesApplication", "POST", "/applications", `{"name":"x"}`, h.tokA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var b []byte
			if tc.token == "-basic" {
				hdr := http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}
				resp := h.send(tc.method, tc.path, "", tc.body, hdr)
				defer resp.Body.Close()
				status, b = resp.StatusCode, mustRead(t, resp)
			} else {
				status, b = h.do(tc.method, tc.path, tc.token, tc.body)
			}
			wantError(t, status, b, http.StatusForbidden, weir.Forbidden, "Access is forbidden")
		})
	}
	if got := len(h.store.queued()); got != 0 {
		t.Errorf("forbidden press enqueued %d runs, want 0", got)
	}
}

func TestNotFound(t *testing.T) {
	h := newHarness(t)
	missing := weir.NewID()
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		token   string
		wantMsg string
	}{
		{"ErrFlowMissing", "GET", "/applications/" + h.appA + "/flows/" + missing, nil, h.user, "Flow was not found"},
		{"ErrFlowInOtherApp", "GET", "/applications/" + h.appB + "/flows/" + h.flow.ID, nil, h.user, "Flow was not found"},
		{"ErrAppMissing", "GET", "/applications/" + missing, nil, h.user, "Application was not found"},
		{"ErrAppMissingFlows", "GET", "/applications/" + missing + "/flows", nil, h.user, "Application was not found"},
		{"ErrOtherAppToken", "GET", h.flowPath(""), nil, h.tokB, "Application was not found"},
		{"ErrOtherAppTokenPatch", "PATCH", h.flowPath(""), `{"name":"stolen"}`, h.tokB, "Application was not found"},
		{"ErrOtherAppTokenList", "GET", "/applications/" + h.appA + "/tokens", nil, h.tokB, "Application was not found"},
		{"ErrTokenMissing", "GET", "/applications/" + h.appA + "/tokens/" + missing, nil, h.user, "API token was not found"},
		{"ErrTokenOfOtherApp", "GET", "/applications/" + h.appA + "/tokens/" + h.tokenID(h.tokB), nil, h.user, "API token was not found"},
		{"ErrStorageFlowMissing", "PATCH", "/applications/" + h.appA + "/flows/" + missing + "/storage", `{"key":"k","value":1}`, h.user, "Flow was not found"},
		{"ErrButtonMissing", "POST", h.flowPath("/virtualButton"), `{"key":"nope"}`, h.user, "Virtual button was not found"},
		{"ErrButtonVersion", "POST", h.flowPath("/virtualButton"), `{"key":"` + h.button + `","flowVersion":"v1"}`, h.user, "Flow version was not found"},
		{"ErrUnknownRoute", "GET", "/nope", nil, h.user, ""},
		{"ErrUnknownSubRoute", "GET", h.flowPath("/nope"), nil, h.user, ""},
		{"ErrUnknownRouteNoToken", "GET", "/applications/" + h.appA + "/dataTables", nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do(tc.method, tc.path, tc.token, tc.body)
			wantError(t, status, b, http.StatusNotFound, weir.NotFound, tc.wantMsg)
		})
	}
	if f, _ := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID); f.Name != h.flow.Name {
		t.Errorf("flow name = %q after another app's patch, want %q", f.Name, h.flow.Name)
	}
	if got := len(h.store.queued()); got != 0 {
		t.Errorf("rejected presses enqueued %d runs, want 0", got)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		method, path, allow string
	}{
		{"PUT", h.flowPath(""), "DELETE, GET, HEAD, PATCH"},
		{"POST", h.flowPath("/logs"), "GET, HEAD"},
		{"DELETE", "/applications", "GET, HEAD, POST"},
		{"PUT", "/applications/" + h.appA + "/tokens", "GET, HEAD, POST"},
		{"GET", h.flowPath("/virtualButton"), "POST"},
		{"POST", "/health", "GET, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			resp := h.send(tc.method, tc.path, h.user, nil, nil)
			defer resp.Body.Close()
			wantError(t, resp.StatusCode, mustRead(t, resp), http.StatusMethodNotAllowed, weir.MethodNotAllowed, "")
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestPayloadTooLarge(t *testing.T) {
	h := newHarness(t)
	body := `{"key":"k","value":"` + strings.Repeat("v", 70<<10) + `"}`
	status, b := h.do("PATCH", h.flowPath("/storage"), h.user, body)
	wantError(t, status, b, http.StatusRequestEntityTooLarge, weir.PayloadTooLarge, "")
	if entries, _ := h.store.StorageEntries(t.Context(), h.flow.ID); len(entries) != 0 {
		t.Errorf("storage = %v after a rejected write, want empty", entries)
	}
}
