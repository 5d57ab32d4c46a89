package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

func requestDef(triggers ...[3]string) *weir.Definition {
	d := &weir.Definition{}
	for _, t := range triggers {
		cfg, _ := json.Marshal(map[string]string{"method": t[1], "route": t[2]})
		d.Triggers = append(d.Triggers, weir.Trigger{Type: engine.TriggerRequest, Key: t[0], Config: cfg})
	}
	return d
}

func TestMatchRequestTriggers(t *testing.T) {
	def := requestDef(
		[3]string{"get-/agent-configuration", "get", "/agent-configuration"},
		[3]string{"post-/agent-configuration", "post", "/agent-configuration"},
		[3]string{"any-/devices/{deviceId}", "*", "/devices/{deviceId}"},
		[3]string{"get-/files/{path*}", "get", "/files/{path*}"},
		[3]string{"get-/items/{id?}", "GET", "/items/{id?}"},
		[3]string{"get-/pair/{p*2}", "get", "/pair/{p*2}"},
		[3]string{"put-", "put", ""},
	)
	def.Triggers = append(def.Triggers,
		weir.Trigger{Type: engine.TriggerRequest, Key: "", Config: json.RawMessage(`{"method":"get"}`)},           // no key
		weir.Trigger{Type: engine.TriggerRequest, Key: "bad", Config: json.RawMessage(`{"method":1}`)},            // unreadable
		weir.Trigger{Type: "webhook", Key: "get-/agent-configuration", Config: json.RawMessage(`{}`)},             // other type
		weir.Trigger{Type: engine.TriggerRequest, Key: "bad-opt", Config: json.RawMessage(`{"route":"/{a?}/x"}`)}, // ? not last
	)
	tests := []struct {
		name, method, path string
		want               []engine.RequestMatch
	}{
		{"OK_Literal", "GET", "/agent-configuration", []engine.RequestMatch{{Key: "get-/agent-configuration", Params: map[string]string{}}}},
		{"OK_TrailingSlash", "post", "/agent-configuration/", []engine.RequestMatch{{Key: "post-/agent-configuration", Params: map[string]string{}}}},
		{"OK_AnyMethodParam", "DELETE", "/devices/a%2Fb", []engine.RequestMatch{{Key: "any-/devices/{deviceId}", Params: map[string]string{"deviceId": "a/b"}}}},
		{"OK_Wildcard", "get", "/files/a/b%20c", []engine.RequestMatch{{Key: "get-/files/{path*}", Params: map[string]string{"path": "a/b c"}}}},
		{"OK_WildcardEmpty", "get", "/files", []engine.RequestMatch{{Key: "get-/files/{path*}", Params: map[string]string{}}}},
		{"OK_OptionalGiven", "get", "/items/7", []engine.RequestMatch{{Key: "get-/items/{id?}", Params: map[string]string{"id": "7"}}}},
		{"OK_OptionalAbsent", "get", "/items", []engine.RequestMatch{{Key: "get-/items/{id?}", Params: map[string]string{}}}},
		{"OK_CountedWildcard", "get", "/pair/x/y", []engine.RequestMatch{{Key: "get-/pair/{p*2}", Params: map[string]string{"p": "x/y"}}}},
		{"OK_EmptyRouteMatchesAll", "PUT", "/anything/at/all", []engine.RequestMatch{{Key: "put-", Params: map[string]string{}}}},
		{"OK_SeveralFire", "put", "/devices/d1", []engine.RequestMatch{
			{Key: "any-/devices/{deviceId}", Params: map[string]string{"deviceId": "d1"}}, {Key: "put-", Params: map[string]string{}}}},
		{"NoMatch_Method", "post", "/files/a", nil},
		{"NoMatch_CountedWildcard", "get", "/pair/x", nil},
		{"NoMatch_OptionalTooLong", "get", "/items/7/8", nil},
		{"NoMatch_TooLong", "get", "/agent-configuration/x", nil},
		{"NoMatch_Case", "get", "/Agent-Configuration", nil},
		{"NoMatch_EmptyParam", "get", "/devices//", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := engine.MatchRequestTriggers(def, tc.method, tc.path)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("MatchRequestTriggers(%s %s) mismatch (-want +got):\n%s", tc.method, tc.path, diff)
			}
		})
	}
	if got := engine.MatchRequestTriggers(nil, "get", "/"); got != nil {
		t.Errorf("MatchRequestTriggers(nil) = %v, want none", got)
	}
}

// FuzzMatchRequestTriggers matches arbitrary routes, methods and request
// paths. Properties: no panic; a match names the trigger and only
// parameters its route declares.
func FuzzMatchRequestTriggers(f *testing.F) {
	for _, s := range [][3]string{
		{"get", "/devices/{id}", "/devices/d1"}, {"*", "/files/{p*}", "/files/a/b%2F"}, {"", "/items/{id?}", "/items"},
		{"post", "/{a}/{b*2}", "/x/y/z"}, {"get", "{", "/%zz"}, {"*", "/{}/{?}/{*}", "//"}, {"put", "", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, method, route, path string) {
		def := requestDef([3]string{"k", method, route})
		var stored struct{ Route string } // as JSON keeps it (invalid UTF-8 replaced)
		_ = json.Unmarshal(def.Triggers[0].Config, &stored)
		route = stored.Route
		for _, m := range engine.MatchRequestTriggers(def, method, path) {
			if m.Key != "k" {
				t.Fatalf("match of key %q, want k", m.Key)
			}
			for name := range m.Params {
				if !strings.Contains(route, "{"+name) {
					t.Fatalf("param %q is not in route %q", name, route)
				}
			}
		}
	})
}
