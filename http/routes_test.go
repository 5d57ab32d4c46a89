package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// TestRoutes_OK calls every route successfully, as a user and as an
// application token, and checks the status and the response schema.
func TestRoutes_OK(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string // {app}, {flow}, {token} filled in
		body   any
		status int
		schema string
		user   bool // run as the user token instead of the application token
	}{
		{name: "ApplicationsGet", method: "GET", path: "/applications", status: 200, schema: "applications", user: true},
		{name: "ApplicationsPost", method: "POST", path: "/applications", body: `{"name":"New app","description":"d"}`, status: 201, schema: "application", user: true},
		{name: "ApplicationGet", method: "GET", path: "/applications/{app}", status: 200, schema: "application"},
		{name: "ApplicationPatch", method: "PATCH", path: "/applications/{app}", body: `{"name":"Renamed","globals":[{"key":"k","json":"1"}]}`, status: 200, schema: "application"},
		{name: "TokensGet", method: "GET", path: "/applications/{app}/tokens", status: 200, schema: "apiTokens"},
		{name: "TokensPost", method: "POST", path: "/applications/{app}/tokens", body: `{"name":"ci"}`, status: 201, schema: "apiToken"},
		{name: "TokenGet", method: "GET", path: "/applications/{app}/tokens/{token}", status: 200, schema: "apiToken"},
		{name: "TokenPatch", method: "PATCH", path: "/applications/{app}/tokens/{token}", body: `{"description":"x"}`, status: 200, schema: "apiToken"},
		{name: "FlowsGet", method: "GET", path: "/applications/{app}/flows?_actions=false&_links=true&_embedded=true", status: 200, schema: "flows"},
		{name: "FlowsPost", method: "POST", path: "/applications/{app}/flows", body: `{"name":"F2","triggers":[{"type":"virtualButton"}]}`, status: 201, schema: "flow"},
		{name: "FlowGet", method: "GET", path: "/applications/{app}/flows/{flow}", status: 200, schema: "flow"},
		{name: "FlowPatch", method: "PATCH", path: "/applications/{app}/flows/{flow}", body: `{"description":"patched"}`, status: 200, schema: "flow"},
		{name: "FlowLogs", method: "GET", path: "/applications/{app}/flows/{flow}/logs?limit=5", status: 200, schema: "flowLog"},
		{name: "StorageSet", method: "PATCH", path: "/applications/{app}/flows/{flow}/storage", body: `{"key":"a","value":[1,2]}`, status: 200, schema: "success"},
		{name: "StorageGet", method: "GET", path: "/applications/{app}/flows/{flow}/storage", status: 200, schema: "flowStorageEntries"},
		{name: "StorageMetadata", method: "GET", path: "/applications/{app}/flows/{flow}/storage-metadata", status: 200, schema: "flowStorageMetadata"},
		{name: "StorageClear", method: "DELETE", path: "/applications/{app}/flows/{flow}/storage", body: `{}`, status: 200, schema: "flowStorageEntries"},
		{name: "ButtonPress", method: "POST", path: "/applications/{app}/flows/{flow}/virtualButton", body: `{"key":"{button}","payload":{"x":1}}`, status: 200, schema: "success"},
		{name: "FlowDelete", method: "DELETE", path: "/applications/{app}/flows/{flow}", status: 200, schema: "success"},
		{name: "TokenDelete", method: "DELETE", path: "/applications/{app}/tokens/{token}", body: `{}`, status: 200, schema: "success"},
		{name: "ApplicationDelete", method: "DELETE", path: "/applications/{app}", status: 200, schema: "success"},
	}
	for _, as := range []string{"User", "AppToken"} {
		t.Run(as, func(t *testing.T) {
			h := newHarness(t)
			extra := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application.read"}, Status: weir.TokenActive}
			h.tokenRecord(extra)
			extraID := extra.ID
			for _, tc := range tests {
				if tc.user && as != "User" {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					tok := h.tokA
					if as == "User" {
						tok = h.user
					}
					r := strings.NewReplacer("{app}", h.appA, "{flow}", h.flow.ID, "{token}", extraID, "{button}", h.button)
					var body any
					if s, ok := tc.body.(string); ok {
						body = r.Replace(s)
					}
					status, b := h.do(tc.method, r.Replace(tc.path), tok, body)
					if status != tc.status {
						t.Fatalf("%s %s = %d, want %d; body %s", tc.method, tc.path, status, tc.status, b)
					}
					mustConform(t, tc.schema, b)
				})
			}
		})
	}
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	status, b := h.do("GET", "/health", "", nil)
	if status != http.StatusOK || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Errorf("GET /health = %d %s, want 200 {\"status\":\"ok\"}", status, b)
	}
}
