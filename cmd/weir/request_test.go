package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMainEdgeRequest runs an edge flow's HTTP request trigger end to end:
// POST /edge/{appId}/devices/d7 starts the flow, whose HTTP Response node
// answers with the route parameter and body through the real executor.
func TestMainEdgeRequest(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}

	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "edge"}, &app)
	flow := map[string]any{
		"name": "device api", "flowClass": "edge",
		"triggers": []any{map[string]any{
			"type": "request", "config": map[string]any{"method": "post", "route": "/devices/{id}"}, // the server keys it
			"meta": map[string]any{"label": "POST /devices/{id}"}, "outputIds": []any{[]any{"reply"}},
		}},
		"nodes": []any{map[string]any{
			"id": "reply", "type": "HttpResponseNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{
				"responseCodeTemplate": "202", "bodyTemplateType": "string",
				"bodyTemplate": `<p>{{data.params.id}} {{data.body.state}} {{triggerType}} {{triggerId}}</p>`,
				"headerInfo":   []any{map[string]any{"keyTemplate": "Content-Type", "valueTemplate": "text/html"}},
				"cookieInfo":   []any{},
			},
		}},
	}
	var created struct{ Triggers []struct{ Key string } }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", flow, &created)
	if len(created.Triggers) != 1 || created.Triggers[0].Key != "post-/devices/{id}" {
		t.Fatalf("created triggers %+v, want the key post-/devices/{id}", created.Triggers)
	}

	resp, err := http.Post(c.base+"/edge/"+app.ID+"/devices/d7", "application/json", strings.NewReader(`{"state":"on"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := "<p>d7 on request request</p>"
	if resp.StatusCode != 202 || string(body) != want || resp.Header.Get("Content-Type") != "text/html" ||
		resp.Header.Get("Cache-Control") != "no-cache, no-store, must-revalidate" {
		t.Fatalf("POST = %d %q %v, want 202 %q as text/html, not cached", resp.StatusCode, body, resp.Header, want)
	}

	resp, err = http.Get(c.base + "/edge/" + app.ID + "/devices/d7")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET = %d, want 404 (the trigger answers POST only)", resp.StatusCode)
	}
}
