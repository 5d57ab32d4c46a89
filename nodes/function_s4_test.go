package nodes_test

import (
	"context"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nodes"
)

// s4Script is the bench's S4 Function node script: parse a JSON array of
// 100 readings from the webhook body and aggregate them per group.
const s4Script = `var text = payload.data.body.items;
var items = JSON.parse(text);
var groups = {};
for (var i = 0; i < items.length; i++) {
  var it = items[i];
  var g = groups[it.group] || (groups[it.group] = {n: 0, sum: 0, min: Infinity, max: -Infinity});
  g.n++; g.sum += it.value;
  if (it.value < g.min) g.min = it.value;
  if (it.value > g.max) g.max = it.value;
}
var out = {};
Object.keys(groups).sort().forEach(function (k) {
  var g = groups[k];
  out[k] = {n: g.n, mean: g.sum / g.n, min: g.min, max: g.max};
});
payload.data.result = out;
`

// s4Payload is a webhook run's payload carrying the S4 body.
func s4Payload(items string) engine.Payload {
	return engine.Payload{
		"time": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "applicationId": "app", "applicationName": "bench",
		"flowId": "flow", "flowName": "s4", "flowVersion": "develop", "triggerId": "hook", "triggerType": "webhook",
		"relayId": "hook", "relayType": "public", "globals": map[string]any{},
		"data": map[string]any{
			"path": "/", "method": "post", "query": map[string]any{},
			"headers": map[string]any{"host": "127.0.0.1:8080", "content-type": "application/json",
				"content-length": "5000", "user-agent": "weir-bench", "accept-encoding": "gzip"},
			"body": map[string]any{"items": items},
		},
	}
}

// TestFunctionNode_S4 checks the S4 script's result.
func TestFunctionNode_S4(t *testing.T) {
	n := mustFunction(t, s4Script, "")
	p := s4Payload(nodes.S4Items())
	if _, err := n.Exec(t.Context(), &engine.Env{}, p); err != nil {
		t.Fatal(err)
	}
	res := p["data"].(map[string]any)["result"].(map[string]any)
	if len(res) != 5 {
		t.Fatalf("result has %d groups, want 5: %v", len(res), res)
	}
	g0 := res["g0"].(map[string]any)
	if g0["n"] != 20.0 || g0["min"] != 0.0 {
		t.Errorf("g0 = %v, want n 20 and min 0", g0)
	}
}

// BenchmarkFunctionNodeS4 runs the bench's S4 script on pooled runtimes.
func BenchmarkFunctionNodeS4(b *testing.B) {
	n := mustFunction(b, s4Script, "")
	items := nodes.S4Items()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Exec(ctx, &engine.Env{}, s4Payload(items)); err != nil {
			b.Fatal(err)
		}
	}
}
