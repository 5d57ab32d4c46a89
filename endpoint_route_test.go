package weir

import (
	"reflect"
	"testing"
)

// TestEndpointRouteOptionalAndWildcard checks Losant's optional ({name?})
// and wildcard ({name*}) route parameters, allowed as a route's last
// segment: which requests they answer, with which parameters, and which
// endpoint wins when several match.
func TestEndpointRouteOptionalAndWildcard(t *testing.T) {
	eps := []*ExperienceEndpoint{
		{ID: "opt", Route: "/devices/{deviceId?}", Method: "get", Enabled: true},
		{ID: "lit", Route: "/devices/register", Method: "get", Enabled: true},
		{ID: "any", Route: "/{any*}", Method: "get", Enabled: true},
		{ID: "root", Route: "/", Method: "get", Enabled: true},
		{ID: "files", Route: "/files/{path*}", Method: "get", Enabled: true},
		{ID: "list", Route: "/files", Method: "get", Enabled: true},
	}
	for _, tc := range []struct {
		path, want string
		params     map[string]string
	}{
		{"/devices", "opt", map[string]string{}},
		{"/devices/abc", "opt", map[string]string{"deviceId": "abc"}},
		{"/devices/register", "lit", map[string]string{}},
		{"/devices/a/b", "any", map[string]string{"any": "devices/a/b"}},
		{"/", "root", map[string]string{}},
		{"/nowhere", "any", map[string]string{"any": "nowhere"}},
		{"/files", "list", map[string]string{}},
		{"/files/a%20b/c", "files", map[string]string{"path": "a b/c"}},
	} {
		ep, params := MatchExperienceEndpoint(eps, "GET", tc.path)
		if ep == nil || ep.ID != tc.want || !reflect.DeepEqual(params, tc.params) {
			t.Errorf("GET %s matched %v %v, want %s %v", tc.path, ep, params, tc.want, tc.params)
		}
	}
	for route, ok := range map[string]bool{
		"/devices/{deviceId?}": true, "/{any*}": true, "/a/{b}/{c?}": true,
		"/{a?}/b": false, "/{a*}/b": false, "/{a?b}": false, "/{*}": false, "/{?}": false,
	} {
		if err := validRoute(route); (err == nil) != ok {
			t.Errorf("validRoute(%q) = %v, want ok %v", route, err, ok)
		}
	}
	a := &ExperienceEndpoint{Route: "/x/{a?}"}
	b := &ExperienceEndpoint{Route: "/x/{b}"}
	c := &ExperienceEndpoint{Route: "/x/{c*}"}
	if a.RouteKey() == b.RouteKey() || a.RouteKey() == c.RouteKey() {
		t.Errorf("route keys %s %s %s: an optional, a plain and a wildcard parameter answer different requests", a.RouteKey(), b.RouteKey(), c.RouteKey())
	}
}
