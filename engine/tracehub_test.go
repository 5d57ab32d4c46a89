package engine_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// traced is a completed run's log entry of flow f: trigger k, then a, then
// b from a's output 1 (failing when failed).
func traced(f string, failed bool) *weir.LogEntry {
	e := &weir.LogEntry{ID: weir.NewID(), FlowID: f, Time: time.Now().UTC(), RunCount: 1, PathsCompleted: 1,
		Trace: &weir.RunTrace{Trigger: "k", Steps: []weir.TraceStep{
			{NodeID: "a", From: -1, Output: 1},
			{NodeID: "b", From: 0, Via: 1, Output: 0, Failed: failed},
		}}}
	if failed {
		e.PathsCompleted, e.PathsFailed = 0, 1
	}
	return e
}

func TestTraceHubSummarisesPastTheLimit(t *testing.T) {
	var h engine.TraceHub
	h.Publish(traced("f", false)) // nobody listens: nothing kept
	s := h.Subscribe("f")
	defer s.Close()
	other := h.Subscribe("g")
	defer other.Close()
	const n = engine.TraceRunsPerInterval + 5
	first := traced("f", false)
	h.Publish(first)
	for i := 1; i < n; i++ {
		h.Publish(traced("f", i%2 == 0))
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("Ready not signalled after a publish")
	}
	runs, sum := s.Take()
	if len(runs) != engine.TraceRunsPerInterval {
		t.Fatalf("Take() = %d runs, want %d", len(runs), engine.TraceRunsPerInterval)
	}
	var run engine.TraceRun
	if err := json.Unmarshal(runs[0], &run); err != nil || run.RunID != first.ID || len(run.Trace.Steps) != 2 {
		t.Errorf("first run = %s (%v), want run %s with its 2 steps", runs[0], err, first.ID)
	}
	if sum == nil || sum.Runs != 5 || sum.Failed != 3 {
		t.Fatalf("summary = %+v, want 5 runs, 3 failed (runs 10, 12 and 14)", sum)
	}
	wantEdges := []engine.TraceEdge{{Trigger: "k", To: "a", Count: 5}, {From: "a", Output: 1, To: "b", Count: 5}}
	if diff := cmp.Diff(wantEdges, sum.Edges); diff != "" {
		t.Errorf("summary edges differ (-want +got):\n%s", diff)
	}
	wantNodes := []engine.TraceNode{{NodeID: "a", Count: 5}, {NodeID: "b", Count: 5, Failed: 3}}
	if diff := cmp.Diff(wantNodes, sum.Nodes); diff != "" {
		t.Errorf("summary nodes differ (-want +got):\n%s", diff)
	}
	if runs, sum := s.Take(); len(runs) != 0 || sum != nil {
		t.Errorf("second Take() = %d runs, summary %+v; want nothing", len(runs), sum)
	}
	if runs, sum := other.Take(); len(runs) != 0 || sum != nil {
		t.Errorf("other flow's Take() = %d runs, summary %+v; want nothing", len(runs), sum)
	}
	s.Close()
	h.Publish(traced("f", false))
	if runs, _ := s.Take(); len(runs) != 0 {
		t.Errorf("Take() after Close = %d runs, want none", len(runs))
	}
}

// A run through a custom node reaches the subscribers of the custom node's
// flow too, as a run of its steps inside the custom node.
func TestTraceHubCustomNodeRuns(t *testing.T) {
	var h engine.TraceHub
	custom := h.Subscribe("custom")
	defer custom.Close()
	e := traced("f", false)
	e.Trace.Steps[1].Inner = &weir.RunTrace{Trigger: engine.TriggerCustomNodeStart, FlowID: "custom", Steps: []weir.TraceStep{
		{NodeID: "in", From: -1, Output: -1, Failed: true},
	}}
	h.Publish(e)
	runs, _ := custom.Take()
	if len(runs) != 1 {
		t.Fatalf("custom node's subscriber got %d runs, want 1", len(runs))
	}
	var run engine.TraceRun
	if err := json.Unmarshal(runs[0], &run); err != nil || run.RunID != e.ID || !run.Failed || run.Trace == nil ||
		run.Trace.Trigger != engine.TriggerCustomNodeStart || len(run.Trace.Steps) != 1 || run.Trace.Steps[0].NodeID != "in" {
		t.Errorf("custom node's run %s (%v), want the inner steps of run %s, failed", runs[0], err, e.ID)
	}
}
