package engine_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// stepShape is a trace step without its times, which vary.
type stepShape struct {
	NodeID         string
	From, Via, Out int
	Failed         bool
}

// mustTrace runs def's trigger "t" on data and returns the result and its
// trace's steps without times, after checking that the times are sane.
func mustTrace(t *testing.T, def *weir.Definition, data map[string]any) (*engine.Result, []stepShape) {
	t.Helper()
	g, err := engine.Compile(def)
	if err != nil {
		t.Fatalf("Compile() error %v", err)
	}
	res, err := g.Run(t.Context(), &engine.Env{FlowVersion: "develop"}, "t", engine.Payload{"data": data})
	if err != nil {
		t.Fatalf("Run() error %v", err)
	}
	if res.Trace == nil || res.Trace.Trigger != "t" {
		t.Fatalf("Run().Trace = %+v, want a trace of trigger t", res.Trace)
	}
	wall := float64(res.WallTime.Microseconds())/1000 + 0.001
	var got []stepShape
	for _, s := range res.Trace.Steps {
		if s.Start < 0 || s.Time < 0 || s.Start+s.Time > wall {
			t.Errorf("step %s: start %v ms, time %v ms; want within the run's %v ms", s.NodeID, s.Start, s.Time, wall)
		}
		got = append(got, stepShape{s.NodeID, s.From, s.Via, s.Output, s.Failed})
	}
	return res, got
}

func TestRunTracePath(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("a"),
		Nodes: []weir.Node{
			node("a", "TestPortNode", `{"port":1}`, []string{"never"}, []string{"b"}),
			node("never", "TestSetNode", `{"key":"k","value":"v"}`),
			node("b", "TestSetNode", `{"key":"k","value":"v"}`),
		},
	}
	_, got := mustTrace(t, def, map[string]any{})
	want := []stepShape{{"a", -1, 0, 1, false}, {"b", 0, 1, 0, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace steps differ (-want +got):\n%s", diff)
	}
}

func TestRunTraceFailure(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("a"),
		Nodes: []weir.Node{
			node("a", "TestSetNode", `{"key":"k","value":"v"}`, []string{"bad"}),
			node("bad", "TestFailNode", `{}`, []string{"after"}),
			node("after", "TestSetNode", `{"key":"k","value":"v"}`),
		},
	}
	res, got := mustTrace(t, def, map[string]any{})
	want := []stepShape{{"a", -1, 0, 0, false}, {"bad", 0, 0, -1, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace steps differ (-want +got):\n%s", diff)
	}
	if len(res.Errors) != 1 || res.Errors[0].NodeID != "bad" {
		t.Errorf("errors = %+v, want one of node bad", res.Errors)
	}
}

// A loop's step comes before its body's, which come from its output 1;
// the node after the loop comes from its output 0.
func TestRunTraceLoop(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("loop"),
		Nodes: []weir.Node{
			node("loop", "LoopNode", `{"loopSourcePath":"data.items","currentItemPath":"item"}`,
				[]string{"after"}, []string{"body"}),
			node("body", "TestSetNode", `{"key":"k","value":"v"}`, []string{"cap"}),
			node("cap", "LoopCapNode", `{"loopNodeId":"loop"}`),
			node("after", "TestSetNode", `{"key":"k","value":"v"}`),
		},
	}
	_, got := mustTrace(t, def, map[string]any{"items": []any{1.0, 2.0}})
	want := []stepShape{
		{"loop", -1, 0, 0, false},
		{"body", 0, 1, 0, false}, {"cap", 1, 0, 0, false},
		{"body", 0, 1, 0, false}, {"cap", 3, 0, 0, false},
		{"after", 0, 0, 0, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trace steps differ (-want +got):\n%s", diff)
	}
}

// A run of more steps than weir.MaxTraceSteps records the first ones and
// counts the rest.
func TestRunTraceBounded(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("loop"),
		Nodes: []weir.Node{
			node("loop", "LoopNode", `{"loopSourcePath":"data.items","currentItemPath":"item"}`, nil, []string{"body"}),
			node("body", "TestSetNode", `{"key":"k","value":"v"}`),
		},
	}
	items := make([]any, 300)
	for i := range items {
		items[i] = float64(i)
	}
	res, got := mustTrace(t, def, map[string]any{"items": items})
	if len(got) != weir.MaxTraceSteps || res.Trace.Omitted != 301-weir.MaxTraceSteps {
		t.Errorf("trace of 301 steps has %d steps and %d omitted, want %d and %d", len(got), res.Trace.Omitted,
			weir.MaxTraceSteps, 301-weir.MaxTraceSteps)
	}
}
