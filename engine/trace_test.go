package engine_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
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

// runCalling runs a caller flow of nodes (trigger t leads to node n) on
// data, where custom node "custom" runs inner from its node first, and
// returns the log entry.
func runCalling(t *testing.T, callerNodes []weir.Node, data string, first string, inner ...weir.Node) *weir.LogEntry {
	t.Helper()
	custom := &weir.Flow{ID: "custom", ApplicationID: "a1", Name: "custom", Enabled: true, FlowClass: "customNode", Definition: weir.Definition{
		Triggers: []weir.Trigger{{Type: "customNodeStart", OutputIDs: [][]string{{first}}}},
		Nodes:    inner,
	}}
	flows := map[string]*weir.Flow{"f1": executorFlow(true, callerNodes...), "custom": custom}
	run := run1()
	run.Data = json.RawMessage(data)
	q, done := queueOf(run)
	e := &engine.Executor{
		Queue: q, RunTimeout: time.Minute,
		Flows: &mock.FlowService{
			FindFlowByIDFn: func(_ context.Context, _, id string) (*weir.Flow, error) {
				if f, ok := flows[id]; ok {
					return f, nil
				}
				return nil, weir.Errorf(weir.NotFound, "Flow was not found")
			},
			FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return nil, 0, nil },
		},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	entry := <-done
	if entry == nil || entry.Trace == nil {
		t.Fatalf("caller log entry %+v, want one with a trace", entry)
	}
	return entry
}

// A custom node's step holds the steps of the custom node's own run, in
// the run's time, failing where it failed.
func TestRunTraceCustomNode(t *testing.T) {
	entry := runCalling(t, []weir.Node{node("n", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`)}, `{}`,
		"in1", node("in1", "TestSetNode", `{"key":"k","value":"v"}`, []string{"in2"}), node("in2", "TestFailNode", `{}`))
	if len(entry.Trace.Steps) != 1 {
		t.Fatalf("caller trace %+v, want one step", entry.Trace)
	}
	step := entry.Trace.Steps[0]
	if step.NodeID != "n" || !step.Failed || step.Inner == nil || step.Inner.Trigger != engine.TriggerCustomNodeStart {
		t.Fatalf("custom node step %+v, want node n failed, with the custom node run's trace", step)
	}
	var got []stepShape
	for _, s := range step.Inner.Steps {
		if s.Start < step.Start || s.Start+s.Time > step.Start+step.Time+0.001 {
			t.Errorf("inner step %s at %v+%v ms, outside its caller's %v+%v ms", s.NodeID, s.Start, s.Time, step.Start, step.Time)
		}
		got = append(got, stepShape{s.NodeID, s.From, s.Via, s.Output, s.Failed})
	}
	want := []stepShape{{"in1", -1, 0, 0, false}, {"in2", 0, 0, -1, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inner steps differ (-want +got):\n%s", diff)
	}
}

// The steps of custom node runs count toward their caller's
// weir.MaxTraceSteps: a loop calling a custom node 100 times records at
// most 128 of its 201 steps and counts the others.
func TestRunTraceCustomNodeBounded(t *testing.T) {
	items := make([]string, 100)
	for i := range items {
		items[i] = "1"
	}
	entry := runCalling(t, []weir.Node{
		node("n", "LoopNode", `{"loopSourcePath":"data.items","currentItemPath":"item"}`, nil, []string{"call"}),
		node("call", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`),
	}, `{"items":[`+strings.Join(items, ",")+`]}`, "in1", node("in1", "TestSetNode", `{"key":"k","value":"v"}`))
	recorded, omitted := len(entry.Trace.Steps), entry.Trace.Omitted
	for _, s := range entry.Trace.Steps {
		if s.Inner != nil {
			recorded += len(s.Inner.Steps)
			omitted += s.Inner.Omitted
		}
	}
	// A custom node step past the limit takes its run's recorded steps
	// with it: they are counted as omitted.
	if recorded > weir.MaxTraceSteps || recorded < weir.MaxTraceSteps-1 || recorded+omitted != 201 || entry.Trace.Size() != 201 {
		t.Errorf("trace records %d steps and omits %d (size %d), want at most %d of 201", recorded, omitted, entry.Trace.Size(), weir.MaxTraceSteps)
	}
}
