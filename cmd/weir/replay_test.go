package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestReplayWebhookRun: a webhook run of a flow that keeps payloads keeps
// its request, the credentials in its headers and query redacted; after the
// flow changes, a replay through the API runs the kept request on the new
// flow, and its entry names the run it replays.
func TestReplayWebhookRun(t *testing.T) {
	_, owner := openMain(t, DefaultConfig())
	testReplayWebhookRun(t, owner)
}

// TestReplayWebhookRunScaledOut is TestReplayWebhookRun on PostgreSQL with
// the NATS JetStream run queue, whose runs the store records.
func TestReplayWebhookRunScaledOut(t *testing.T) {
	ms, token := startCluster(t, 1, nil)
	testReplayWebhookRun(t, &client{t: t, base: "http://" + ms[0].Addr(), token: token})
}

func testReplayWebhookRun(t *testing.T, owner *client) {
	t.Helper()
	var app, hook struct{ ID, Token string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	owner.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "sensor"}, &hook)
	var flow struct{ ID string }
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": "Hooked", "enabled": true, "weir": map[string]any{"keepPayloads": true},
		"triggers": []any{map[string]any{"type": "webhook", "key": hook.ID, "config": map[string]any{}, "outputIds": [][]string{{"cond"}}}},
		"nodes": []any{
			map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.body.temp}} > 30"},
				"outputIds": [][]string{{"cool"}, {"hot"}}},
			map[string]any{"id": "cool", "type": "DebugNode", "config": map[string]any{"message": "fine"}},
			map[string]any{"id": "hot", "type": "DebugNode", "config": map[string]any{"message": "too hot"}},
		}}, &flow)
	flowPath += "/" + flow.ID

	req, err := http.NewRequestWithContext(t.Context(), "POST", owner.base+"/webhooks/"+hook.Token+"?page=2&access_token=q-secret",
		strings.NewReader(`{"temp": 35}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer h-secret")
	req.Header.Set("X-Api-Key", "k-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
	var logs []replayLog
	waitFor(t, 10*time.Second, "the webhook's run", func() bool {
		logs = nil // decoding into old entries would keep their fields
		owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
		return len(logs) == 1
	})
	original := logs[0].RunID
	var entry replayLog
	owner.mustDo(200, "GET", flowPath+"/logs/"+original, nil, &entry)
	data := string(entry.Payload.Data)
	for _, secret := range []string{"h-secret", "q-secret", "k-secret"} {
		if strings.Contains(data, secret) {
			t.Errorf("the kept payload holds %s: %s", secret, data)
		}
	}
	for _, kept := range []string{`"authorization":"[redacted]"`, `"x-api-key":"[redacted]"`, `"access_token":"[redacted]"`,
		`"page":"2"`, `"body":{"temp":35}`} {
		if !strings.Contains(data, kept) {
			t.Errorf("the kept payload lacks %s: %s", kept, data)
		}
	}
	if strings.Join(logs[0].path(), " ") != "cond hot" {
		t.Fatalf("the webhook's run went %v, want cond hot", logs[0].path())
	}

	owner.mustDo(200, "PATCH", flowPath, map[string]any{"nodes": []any{
		map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.body.temp}} > 40"},
			"outputIds": [][]string{{"cool"}, {"hot"}}},
		map[string]any{"id": "cool", "type": "DebugNode", "config": map[string]any{"message": "fine"}},
		map[string]any{"id": "hot", "type": "DebugNode", "config": map[string]any{"message": "too hot"}},
	}}, nil)
	var replay struct{ RunID, ReplayOf, FlowVersion string }
	owner.mustDo(200, "POST", flowPath+"/logs/"+original+"/replay", nil, &replay)
	if replay.ReplayOf != original || replay.FlowVersion != "develop" || replay.RunID == "" || replay.RunID == original {
		t.Fatalf("replay answered %+v", replay)
	}
	waitFor(t, 10*time.Second, "the replay's run", func() bool {
		logs = nil // decoding into old entries would keep their fields
		owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
		return len(logs) == 2
	})
	if logs[0].RunID != replay.RunID || logs[0].ReplayOf != original || strings.Join(logs[0].path(), " ") != "cond cool" {
		t.Errorf("the replay's entry = %+v (path %v), want run %s replaying %s through cool", logs[0], logs[0].path(), replay.RunID, original)
	}

	// The flow stops keeping payloads: its next run cannot be replayed.
	owner.mustDo(200, "PATCH", flowPath, map[string]any{"weir": map[string]any{"keepPayloads": false}}, nil)
	owner.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+flow.ID+"/logs/"+replay.RunID+"/replay", nil, nil)
	resp, err = http.Post(owner.base+"/webhooks/"+hook.Token, "application/json", strings.NewReader(`{"temp": 45}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, 10*time.Second, "the runs", func() bool {
		logs = nil // decoding into old entries would keep their fields
		owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
		return len(logs) == 4
	})
	var unkept string
	for _, l := range logs {
		if l.Payload == nil && l.ReplayOf == "" {
			unkept = l.RunID
		}
	}
	if unkept == "" {
		t.Fatalf("no run without a kept payload among %+v", logs)
	}
	var refusal struct{ Type, Message string }
	owner.mustDo(400, "POST", flowPath+"/logs/"+unkept+"/replay", nil, &refusal)
	if refusal.Type != "Validation" || !strings.Contains(refusal.Message, "was not kept") {
		t.Errorf("replay of a run whose payload was not kept: %+v", refusal)
	}
}
