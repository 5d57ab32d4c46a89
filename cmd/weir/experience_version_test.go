package main

import (
	"strings"
	"testing"
)

// TestExperienceVersionApplied: the experience version's globals reach the
// pages of endpoint runs and static replies over the application's globals
// of the same key (a flow's own globals win over both), and its
// unauthorized reply answers for an endpoint that has none of its own,
// until it is removed; a version patch weir refuses changes nothing.
func TestExperienceVersionApplied(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "versioned", "globals": []any{
		map[string]any{"key": "site", "json": `"application"`}, map[string]any{"key": "both", "json": `"application"`},
		map[string]any{"key": "app", "json": `"application"`}}}, &app)
	base := "/applications/" + app.ID
	version := base + "/experience/versions/develop"
	owner.mustDo(200, "PATCH", version, map[string]any{
		"globals": []any{map[string]any{"key": "site", "json": `"version"`}, map[string]any{"key": "both", "json": `"version"`},
			map[string]any{"key": "v", "json": `{"n": 1}`}},
		"unauthorizedReply": map[string]any{"type": "redirect", "value": "/login?to={{encodeURIComponent request.path}}"},
	}, nil)
	var page struct{ ID string }
	owner.mustDo(201, "POST", base+"/experience/views", map[string]any{"name": "g", "viewType": "page",
		"body": `<p id="g">{{globals.site}} {{globals.both}} {{globals.app}} {{globals.v.n}}</p>`}, &page)
	endpoint := func(body map[string]any) string {
		var ep struct{ ID string }
		owner.mustDo(201, "POST", base+"/experience/endpoints", body, &ep)
		return ep.ID
	}
	flow := pageFlow("g", endpoint(map[string]any{"route": "/g", "method": "get", "access": "public"}), page.ID)
	flow["globals"] = []any{map[string]any{"key": "both", "json": `"flow"`}}
	owner.mustDo(201, "POST", base+"/flows", flow, nil)
	endpoint(map[string]any{"route": "/s", "method": "get", "access": "public", "staticReply": map[string]any{"type": "page", "value": "g"}})
	endpoint(map[string]any{"route": "/private", "method": "get", "access": "authenticated"})
	endpoint(map[string]any{"route": "/own", "method": "get", "access": "authenticated",
		"unauthorizedReply": map[string]any{"type": "redirect", "value": "/own-login", "statusCode": 307}})

	_, port, _ := strings.Cut(m.Addr(), ":")
	host := app.ID + ".localhost:" + port
	pages := func(when string) {
		t.Helper()
		for path, want := range map[string]string{
			"/g": `<p id="g">version flow application 1</p>`,    // a run of a flow with its own "both"
			"/s": `<p id="g">version version application 1</p>`, // a static reply
		} {
			if status, _, body := hostGet(t, m.Addr(), host, path, ""); status != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: GET %s = %d %q, want %s", when, path, status, body, want)
			}
		}
	}
	redirect := func(path string, wantStatus int, wantLocation string) {
		t.Helper()
		resp, body := askOnce(t, hostRequest(t, m.Addr(), host, path))
		if resp.StatusCode != wantStatus || resp.Header.Get("Location") != wantLocation {
			t.Errorf("GET %s = %d to %q (%s), want %d to %q", path, resp.StatusCode, resp.Header.Get("Location"), body, wantStatus, wantLocation)
		}
	}
	pages("set")
	redirect("/private", 302, "/login?to=%2Fprivate")
	redirect("/own", 307, "/own-login")

	for _, bad := range []map[string]any{
		{"globals": []any{map[string]any{"key": "x", "json": "not json"}}},
		{"globals": []any{map[string]any{"key": "x y", "json": "1"}}},
		{"unauthorizedReply": map[string]any{"type": "redirect", "value": "/x", "statusCode": 200}},
	} {
		if status := owner.do("PATCH", version, bad, nil); status != 400 {
			t.Errorf("version patch %v = %d, want 400", bad, status)
		}
	}
	pages("after refused patches")
	redirect("/private", 302, "/login?to=%2Fprivate")

	owner.mustDo(200, "PATCH", version, map[string]any{"unauthorizedReply": nil}, nil)
	redirect("/private", 401, "")
	pages("after removing the reply")
}
