package main

import (
	"strings"
	"testing"
)

// TestEndpointStaticReply: an endpoint no workflow handles answers its
// static reply: its page rendered in the page's layout with the request
// and the application's globals, or a redirect; an endpoint with a
// workflow answers from the workflow whatever its static reply; a static
// page that does not exist answers weir's error page; a bad static reply
// is refused and changes nothing.
func TestEndpointStaticReply(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	app := mustExperiencePage(t, owner) // GET /hello/{name}: a workflow replies with page "hello"
	base := "/applications/" + app
	owner.mustDo(200, "PATCH", base, map[string]any{"globals": []any{map[string]any{"key": "site", "json": `"Weir Works"`}}}, nil)
	owner.mustDo(201, "POST", base+"/experience/views", map[string]any{"name": "about", "viewType": "page",
		"body": `<p id="about">{{globals.site}} at {{request.path}}, {{#if experience.user}}signed in{{else}}visitor{{/if}}</p>`}, nil)
	endpoint := func(route string, static any) string {
		var ep struct{ ID string }
		owner.mustDo(201, "POST", base+"/experience/endpoints", map[string]any{"route": route, "method": "get", "access": "public",
			"staticReply": static}, &ep)
		return ep.ID
	}
	endpoint("/about", map[string]any{"type": "page", "value": "about"})
	endpoint("/old", map[string]any{"type": "redirect", "value": "/about", "statusCode": 301})
	endpoint("/missing", map[string]any{"type": "page", "value": "no such page"})
	var hello struct {
		Items []struct{ ID string }
	}
	owner.mustDo(200, "GET", base+"/experience/endpoints?filterField=route&filter=/hello/*", nil, &hello)
	owner.mustDo(200, "PATCH", base+"/experience/endpoints/"+hello.Items[0].ID, map[string]any{"staticReply": map[string]any{"type": "page", "value": "about"}}, nil)

	_, port, _ := strings.Cut(m.Addr(), ":")
	host := app + ".localhost:" + port
	if status, ct, body := hostGet(t, m.Addr(), host, "/about", ""); status != 200 || ct != "text/html; charset=utf-8" ||
		!strings.Contains(body, `<p id="about">Weir Works at /about, visitor</p>`) {
		t.Errorf("GET /about = %d %s %q, want the static page", status, ct, body)
	}
	if status, body := experienceCall(t, "http://"+m.Addr(), app, "GET", "/about", nil, nil); status != 200 || !strings.Contains(body, "Weir Works at /about") {
		t.Errorf("GET /experience/{id}/about = %d %q, want the static page", status, body)
	}
	if status, _, body := hostGet(t, m.Addr(), host, "/hello/Ann", ""); status != 200 || !strings.Contains(body, "Hello, Ann") {
		t.Errorf("GET /hello/Ann = %d %q, want the workflow's page, not the static reply", status, body)
	}
	req := hostRequest(t, m.Addr(), host, "/old")
	if resp, _ := askOnce(t, req); resp.StatusCode != 301 || resp.Header.Get("Location") != "/about" {
		t.Errorf("GET /old = %d to %q, want 301 to /about", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _, body := hostGet(t, m.Addr(), host, "/missing", ""); status != 500 || !strings.Contains(body, "Error rendering page") {
		t.Errorf("GET /missing = %d %q, want weir's error page", status, body)
	}
	for _, bad := range []map[string]any{{"type": "json", "value": "x"}, {"type": "page"}, {"type": "page", "value": "x", "statusCode": 700}} {
		if status := owner.do("POST", base+"/experience/endpoints", map[string]any{"route": "/bad", "method": "get", "access": "public",
			"staticReply": bad}, nil); status != 400 {
			t.Errorf("static reply %v = %d, want 400", bad, status)
		}
	}
	if status, _, _ := hostGet(t, m.Addr(), host, "/bad", ""); status != 404 {
		t.Errorf("a refused endpoint answers %d", status)
	}
}
