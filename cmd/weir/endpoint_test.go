package main

import (
	"io"
	"net/http"
	"testing"
)

// TestMainEndpointReply runs an experience endpoint end to end: GET
// /experience/{appId}/hello/ann starts the flow whose Endpoint Reply node
// answers with the route parameter through the real executor.
func TestMainEndpointReply(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}

	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "experience"}, &app)
	var ep struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/experience/endpoints",
		map[string]any{"route": "/hello/{name}", "method": "get", "access": "public"}, &ep)
	flow := map[string]any{
		"name": "hello",
		"triggers": []any{map[string]any{
			"type": "endpoint", "key": ep.ID, "config": map[string]any{}, "meta": map[string]any{"label": "Endpoint"},
			"outputIds": []any{[]any{"reply"}},
		}},
		"nodes": []any{map[string]any{
			"id": "reply", "type": "EndpointReplyNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{
				"replyIdPath": "", "replyType": "custom", "responseCodeTemplate": "200", "bodyTemplateType": "json",
				"bodyTemplate": `{"hi": "{{data.params.name}}", "route": "{{experience.endpoint.route}}", "trigger": "{{triggerType}}"}`,
				"headerInfo":   []any{}, "cookieInfo": []any{}, "mqttTopicsTemplate": []any{}, "sameSiteTemplate": "",
			},
		}},
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", flow, nil)

	resp, err := http.Get(c.base + "/experience/" + app.ID + "/hello/ann")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"hi":"ann","route":"/hello/{name}","trigger":"endpoint"}`
	if resp.StatusCode != 200 || string(body) != want || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("endpoint = %d %q (%s), want 200 %s as application/json", resp.StatusCode, body, resp.Header.Get("Content-Type"), want)
	}

	for _, path := range []string{"/hello", "/hello/ann/more", "/bye/ann"} {
		resp, err := http.Get(c.base + "/experience/" + app.ID + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestEndpointsListDefaultSort lists experience endpoints without a
// sortField: they have no name, so the list sorts by route instead of the
// stores refusing "name".
func TestEndpointsListDefaultSort(t *testing.T) {
	_, c := openMain(t, DefaultConfig())
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "A"}, &app)
	path := "/applications/" + app.ID + "/experience/endpoints"
	for _, route := range []string{"/b", "/a"} {
		c.mustDo(201, "POST", path, map[string]any{"route": route, "method": "get"}, nil)
	}
	var list struct{ Items []struct{ Route string } }
	c.mustDo(200, "GET", path, nil, &list)
	if len(list.Items) != 2 || list.Items[0].Route != "/a" {
		t.Errorf("endpoints = %+v, want /a then /b", list.Items)
	}
}
