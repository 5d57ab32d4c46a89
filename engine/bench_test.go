package engine_test

import (
	"fmt"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// BenchmarkCompile compiles a 50-node chain with the test node types, the
// work done once per flow version before its first run.
func BenchmarkCompile(b *testing.B) {
	def := chain(50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.Compile(def); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClone deep-copies a payload shaped like a webhook run's: the
// envelope plus a body holding a 100-item array of small objects, the copy
// made at every fan-out.
func BenchmarkClone(b *testing.B) {
	items := make([]any, 100)
	for i := range items {
		items[i] = map[string]any{"id": float64(i), "name": fmt.Sprintf("item-%d", i), "value": float64(i) * 1.5, "ok": i%2 == 0}
	}
	p := engine.Payload{
		"time": "2024-01-01T00:00:00.000Z", "applicationId": "a", "flowId": "f", "triggerType": "webhook",
		"globals": map[string]any{},
		"data": map[string]any{
			"method": "post", "path": "/", "headers": map[string]any{"content-type": "application/json"},
			"query": map[string]any{}, "body": map[string]any{"items": items},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = engine.Clone(p)
	}
}

// BenchmarkRun runs a 5-node chain, the shape of a small webhook flow: the
// engine's own per-run cost (branch goroutine, node calls, result; the run
// trace since issue 12), without the store.
func BenchmarkRun(b *testing.B) {
	g, err := engine.Compile(chain(5))
	if err != nil {
		b.Fatal(err)
	}
	env := &engine.Env{FlowVersion: "develop", FlowVersionID: "develop"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Run(b.Context(), env, "t", engine.Payload{"data": map[string]any{}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTraceText encodes a 5-step run trace in the compact text form
// the stores keep in the log row: the part of a run's trace cost spent at
// completion.
func BenchmarkTraceText(b *testing.B) {
	t := &weir.RunTrace{Trigger: "k"}
	for i := range 5 {
		t.Steps = append(t.Steps, weir.TraceStep{NodeID: fmt.Sprintf("node-%020d", i), From: i - 1, Start: float64(i) * 0.1, Time: 0.05})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = weir.EncodeRunTrace(t)
	}
}

// chain is a definition of n TestSetNodes, n0 to n{n-1}, each wired to the
// next, started by trigger "t".
func chain(n int) *weir.Definition {
	def := &weir.Definition{Triggers: trigger("n0")}
	for i := range n {
		var outs [][]string
		if i+1 < n {
			outs = [][]string{{fmt.Sprintf("n%d", i+1)}}
		}
		def.Nodes = append(def.Nodes, node(fmt.Sprintf("n%d", i), "TestSetNode", `{"key":"k","value":"v"}`, outs...))
	}
	return def
}
