package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// TestScopes checks the scope decision of every action for a range of token
// scopes. Allowed means the request got past authorization (any status but
// 401/403); the expectations are written out, not derived from scopes.json.
func TestScopes(t *testing.T) {
	type action struct {
		name   string // resource.action
		method string
		path   string
		body   string
		read   bool // accepted by all.Application.read
	}
	actions := []action{
		{"flow.get", "GET", "/applications/{app}/flows/{flow}", "", true},
		{"flow.patch", "PATCH", "/applications/{app}/flows/{flow}", `{"description":"x"}`, false},
		{"flow.getLogEntries", "GET", "/applications/{app}/flows/{flow}/logs", "", true},
		{"flow.getStorageEntries", "GET", "/applications/{app}/flows/{flow}/storage", "", true},
		{"flow.setStorageEntry", "PATCH", "/applications/{app}/flows/{flow}/storage", `{"key":"k","value":1}`, false},
		{"flow.clearStorageEntries", "DELETE", "/applications/{app}/flows/{flow}/storage", "", false},
		{"flow.getStorageEntriesMetadata", "GET", "/applications/{app}/flows/{flow}/storage-metadata", "", true},
		{"flow.pressVirtualButton", "POST", "/applications/{app}/flows/{flow}/virtualButton", `{"key":"{button}"}`, false},
		{"flow.delete", "DELETE", "/applications/{app}/flows/{flow}", "", false},
		{"flows.get", "GET", "/applications/{app}/flows", "", true},
		{"flows.post", "POST", "/applications/{app}/flows", `{"name":"n"}`, false},
		{"application.get", "GET", "/applications/{app}", "", true},
		{"application.patch", "PATCH", "/applications/{app}", `{"description":"x"}`, false},
		{"applicationApiTokens.get", "GET", "/applications/{app}/tokens", "", true},
		{"applicationApiTokens.post", "POST", "/applications/{app}/tokens", `{"name":"n"}`, false},
		{"applicationApiToken.get", "GET", "/applications/{app}/tokens/{token}", "", true},
		{"applicationApiToken.patch", "PATCH", "/applications/{app}/tokens/{token}", `{"description":"x"}`, false},
		{"applicationApiToken.delete", "DELETE", "/applications/{app}/tokens/{token}", "", false},
		{"application.delete", "DELETE", "/applications/{app}", "", false},
		{"applications.get", "GET", "/applications", "", true},
		{"applications.post", "POST", "/applications", `{"name":"n"}`, false},
	}
	resource := func(a string) string { return a[:strings.Index(a, ".")] }
	scopes := []struct {
		name  string
		scope func(a action) string // the token's one scope for this action
		user  bool
		allow func(a action) bool
	}{
		{"all.User", func(action) string { return "all.User" }, true,
			func(action) bool { return true }},
		{"all.User.read", func(action) string { return "all.User.read" }, true,
			func(a action) bool { return a.read }},
		{"all.Application", func(action) string { return "all.Application" }, false,
			func(a action) bool { return resource(a.name) != "applications" }},
		{"all.Application.read", func(action) string { return "all.Application.read" }, false,
			func(a action) bool { return a.read && resource(a.name) != "applications" }},
		{"flow.*", func(action) string { return "flow.*" }, false,
			func(a action) bool { return resource(a.name) == "flow" }},
		{"flows.*", func(action) string { return "flows.*" }, false,
			func(a action) bool { return resource(a.name) == "flows" }},
		{"OwnAction", func(a action) string {
			if a.name == "flow.getLogEntries" {
				return "flow.log"
			}
			return a.name
		}, false, func(a action) bool { return resource(a.name) != "applications" }},
		{"flow.get", func(action) string { return "flow.get" }, false,
			func(a action) bool { return a.name == "flow.get" }},
		{"flow.getLogEntriesIsNotAScope", func(action) string { return "flow.getLogEntries" }, false,
			func(action) bool { return false }},
		{"Unrelated", func(action) string { return "device.*" }, false,
			func(action) bool { return false }},
	}
	for _, sc := range scopes {
		t.Run(sc.name, func(t *testing.T) {
			h := newHarness(t)
			for _, a := range actions {
				t.Run(a.name, func(t *testing.T) {
					tokRec := &weir.Token{OwnerType: weir.OwnerApplication, OwnerID: h.appA, Scope: []string{"all.Application"}, Status: weir.TokenActive, Name: "target"}
					h.tokenRecord(tokRec)
					owner, ownerType := h.appA, weir.OwnerApplication
					if sc.user {
						owner, ownerType = h.userID, weir.OwnerUser
					}
					tok := h.token(ownerType, owner, sc.scope(a))
					r := strings.NewReplacer("{app}", h.appA, "{flow}", h.flow.ID, "{token}", tokRec.ID, "{button}", h.button)
					var body any
					if a.body != "" {
						body = r.Replace(a.body)
					}
					status, b := h.do(a.method, r.Replace(a.path), tok, body)
					allowed := status != http.StatusForbidden && status != http.StatusUnauthorized
					if allowed != sc.allow(a) {
						t.Errorf("%s with scope %q: status %d (%s), want allowed=%v", a.name, sc.scope(a), status, b, sc.allow(a))
					}
				})
			}
		})
	}
}
