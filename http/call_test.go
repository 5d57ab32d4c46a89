package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// TestCaller runs REST actions in process as an application's internal
// principal: its own resources answer as over HTTP (an escaped path segment
// included), another application's answer 404, and a route weir does not
// serve is an error naming it.
func TestCaller(t *testing.T) {
	var srv *weirhttp.Server
	h, _, app, user := newDeviceHarness(t, func(s *weirhttp.Server) {
		s.Versions = s.Flows.(weir.FlowVersionService)
		srv = s
	})
	c := &weirhttp.Caller{}
	if _, err := c.CallAPI(t.Context(), app, engine.APICall{Method: "GET", Path: "/applications/" + app + "/devices"}); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("a call before Serve = %v, want Unavailable", err)
	}
	c.Serve(srv)
	status, b := h.do("POST", "/applications/"+app+"/flows", user, `{"name":"f","triggers":[],"nodes":[]}`)
	if status != 201 {
		t.Fatalf("create flow = %d %s", status, b)
	}
	flow := decode(t, b)["id"].(string)
	if status, b = h.do("POST", "/applications/"+app+"/flows/"+flow+"/versions", user, `{"version":"v 1"}`); status != 201 {
		t.Fatalf("create version = %d %s", status, b)
	}
	status, b = h.do("POST", "/applications", user, `{"name":"Other"}`)
	if status != 201 {
		t.Fatalf("create application = %d %s", status, b)
	}
	other := decode(t, b)["id"].(string)

	caller := c
	call := func(method, path string, query url.Values, body string) engine.APIResult {
		t.Helper()
		c := engine.APICall{Method: method, Path: path, Query: query}
		if body != "" {
			c.Body = json.RawMessage(body)
		}
		res, err := caller.CallAPI(t.Context(), app, c)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return res
	}
	if res := call("POST", "/applications/"+app+"/devices", nil, `{"name":"Boiler"}`); res.StatusCode != 201 {
		t.Fatalf("devices.post = %d %s", res.StatusCode, res.Body)
	}
	if res := call("GET", "/applications/"+app+"/devices", url.Values{"filter": {"boil*"}}, ""); res.StatusCode != 200 || decode(t, res.Body)["count"] != 1.0 {
		t.Fatalf("devices.get = %d %s", res.StatusCode, res.Body)
	}
	if res := call("GET", "/applications/"+app+"/flows/"+flow+"/versions/"+url.PathEscape("v 1"), nil, ""); res.StatusCode != 200 {
		t.Fatalf("flowVersion.get of v 1 = %d %s", res.StatusCode, res.Body)
	}
	if res := call("POST", "/applications/"+app+"/devices", nil, `{"name":""}`); res.StatusCode != 400 || decode(t, res.Body)["type"] != "Validation" {
		t.Fatalf("a refused devices.post = %d %s", res.StatusCode, res.Body)
	}
	for _, path := range []string{"/applications/" + other + "/devices", "/applications/" + other} {
		if res := call("GET", path, nil, ""); res.StatusCode != 404 || decode(t, res.Body)["message"] != "Application was not found" {
			t.Fatalf("GET %s = %d %s, want 404", path, res.StatusCode, res.Body)
		}
	}
	if res := call("GET", "/applications", nil, ""); res.StatusCode != 403 {
		t.Fatalf("applications.get = %d %s, want 403", res.StatusCode, res.Body)
	}
	_, err := c.CallAPI(t.Context(), app, engine.APICall{Method: "GET", Path: "/applications/" + app + "/integrations"})
	if weir.ErrorTypeOf(err) != weir.NotFound || weir.ErrorMessage(err) != "weir serves no action GET /applications/"+app+"/integrations" {
		t.Fatalf("an unserved route = %v", err)
	}
	if !weirhttp.Actions()["event.patch"] || !weirhttp.Actions()["deviceRecipes.get"] || weirhttp.Actions()["integrations.get"] {
		t.Error("Actions() does not list what the routes serve")
	}
}

// TestCallerPressKeepsChain: a flow pressing a virtual button through the
// Losant API node stays in its Workflow Trigger chain, so a flow pressing
// itself this way is stopped at the chain's bounds like one using a
// Workflow Trigger node.
func TestCallerPressKeepsChain(t *testing.T) {
	var srv *weirhttp.Server
	h, _, app, user := newDeviceHarness(t, func(s *weirhttp.Server) {
		s.Versions = s.Flows.(weir.FlowVersionService)
		srv = s
	})
	c := &weirhttp.Caller{}
	c.Serve(srv)
	status, b := h.do("POST", "/applications/"+app+"/flows", user,
		`{"name":"f","triggers":[{"type":"virtualButton","key":"b1"}],"nodes":[]}`)
	if status != 201 {
		t.Fatalf("create flow = %d %s", status, b)
	}
	flow := decode(t, b)["id"].(string)
	press := func(origin string, depth int) engine.APIResult {
		t.Helper()
		res, err := c.CallAPI(t.Context(), app, engine.APICall{
			Method: "POST", Path: "/applications/" + app + "/flows/" + flow + "/virtualButton",
			Body: json.RawMessage(`{"key":"b1"}`), FlowID: flow, Origin: origin, Depth: depth,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := press("run-a", 1); res.StatusCode != 200 {
		t.Fatalf("a press within the chain = %d %s", res.StatusCode, res.Body)
	}
	res := press("run-a", engine.MaxChainDepth+1)
	if res.StatusCode != 429 || !strings.Contains(decode(t, res.Body)["message"].(string), "Workflow Trigger presses") {
		t.Fatalf("a press past the chain's depth = %d %s, want 429 naming the chain", res.StatusCode, res.Body)
	}
}
