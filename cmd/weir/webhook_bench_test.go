package main

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkWebhookReplyS1 is the bench's S1 in one process, for profiling
// with -cpuprofile and -memprofile: a webhook that waits for its reply →
// Conditional → Store Value incr → Webhook Reply, on SQLite, over real
// HTTP keep-alive connections (GOMAXPROCS x -cpu goroutines). The counter
// must equal the requests answered.
func BenchmarkWebhookReplyS1(b *testing.B) {
	cfg := DefaultConfig()
	cfg.WebhookLimit = 0
	tuneGC(b.Context())
	_, c := openMain(b, cfg)
	var app, hook struct{ ID, Token string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "s1"}, &app)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "s1", "waitForReply": true}, &hook)
	reply := func(id, body string) map[string]any {
		return map[string]any{"id": id, "type": "WebhookReplyNode", "config": map[string]any{
			"responseCodeTemplate": "200", "bodyTemplateType": "json", "bodyTemplate": body}}
	}
	var flow struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{"name": "s1",
		"triggers": []any{map[string]any{"type": "webhook", "key": hook.ID, "config": map[string]any{}, "outputIds": [][]string{{"cond"}}}},
		"nodes": []any{
			map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.body.value}} > 50"},
				"outputIds": [][]string{{"low"}, {"incr"}}},
			map[string]any{"id": "incr", "type": "StoreValueNode", "config": map[string]any{
				"keyName": "count", "valueType": "incr", "value": "1", "resultPath": "data.count"}, "outputIds": [][]string{{"high"}}},
			reply("high", `{"count":{{data.count}}}`), reply("low", `{"count":null}`),
		}}, &flow)

	url := c.base + "/webhooks/" + hook.Token
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var answered atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(url, "application/json", bytes.NewReader([]byte(`{"value":75}`)))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			answered.Add(1)
		}
	})
	b.StopTimer()
	var storage struct{ Count float64 }
	c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flow.ID+"/storage", nil, &storage)
	if int64(storage.Count) != answered.Load() {
		b.Fatalf("counter %v after %d answers", storage.Count, answered.Load())
	}
}
