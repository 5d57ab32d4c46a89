package main

import (
	"io"
	"net/http"
	"testing"
)

// TestMainWebhookReply runs a webhook set to wait for a reply end to end:
// the request starts the flow, whose Webhook Reply node answers it with the
// query's name through the real executor.
func TestMainWebhookReply(t *testing.T) {
	m, out := startMain(t, t.TempDir())
	defer m.Close()
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}

	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "hooks"}, &app)
	var hook struct{ ID, Token string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "greeter", "waitForReply": true}, &hook)
	flow := map[string]any{
		"name": "greet",
		"triggers": []any{map[string]any{
			"type": "webhook", "key": hook.ID, "config": map[string]any{}, "meta": map[string]any{"label": "Webhook"},
			"outputIds": []any{[]any{"reply"}},
		}},
		"nodes": []any{map[string]any{
			"id": "reply", "type": "WebhookReplyNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{
				"replyIdPath": "", "responseCodeTemplate": "201", "bodyTemplateType": "string",
				"bodyTemplate": "hello {{data.query.name}} ({{data.method}} {{data.path}})",
				"headerInfo":   []any{map[string]any{"keyTemplate": "Content-Type", "valueTemplate": "text/plain"}},
			},
		}},
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", flow, nil)

	resp, err := http.Get(c.base + "/webhooks/" + hook.Token + "/greet?name=x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || string(body) != "hello x (get /greet)" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("webhook = %d %q (%s), want 201 \"hello x (get /greet)\" as text/plain",
			resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}

	resp, err = http.Get(c.base + "/webhooks/unknown-token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown webhook = %d, want 404", resp.StatusCode)
	}
}
