package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// replayFlow is a flow that keeps payloads: a button, a Conditional on
// data.temp > limit, and a node on each of its outputs.
func replayFlow(limit string) *weir.Flow {
	f := executorFlow(true,
		weir.Node{ID: "n", Type: "ConditionalNode", Config: json.RawMessage(`{"expression":"{{data.temp}} > ` + limit + `"}`),
			OutputIDs: [][]string{{"cool"}, {"hot"}}},
		node("cool", "TestPortNode", `{"port":0}`), node("hot", "TestPortNode", `{"port":0}`))
	f.Weir.KeepPayloads = true
	return f
}

// executeOne runs run on flow through an executor and returns its entry.
func executeOne(t *testing.T, flow *weir.Flow, run *weir.Run) *weir.LogEntry {
	t.Helper()
	q, done := queueOf(run)
	e := &engine.Executor{
		Queue: q, RunTimeout: time.Minute,
		Flows: &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return flow, nil }},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	select {
	case entry := <-done:
		if entry == nil {
			t.Fatal("run dropped")
		}
		return entry
	case <-time.After(10 * time.Second):
		t.Fatal("run was never completed")
	}
	return nil
}

// lastNode returns the node of the trace's last step.
func lastNode(e *weir.LogEntry) string {
	if e.Trace == nil || len(e.Trace.Steps) == 0 {
		return ""
	}
	return e.Trace.Steps[len(e.Trace.Steps)-1].NodeID
}

// TestReplayRunsCurrentVersion: a run of a flow that keeps payloads keeps
// its trigger payload (credentials redacted); replayed after the flow
// changed, the kept payload takes the changed flow's path, and the new
// run's entry names the run it replays.
func TestReplayRunsCurrentVersion(t *testing.T) {
	flow := replayFlow("40")
	run := run1()
	run.TriggerType = engine.TriggerVirtualButton
	run.Data = json.RawMessage(`{"temp":45,"token":"s3cret"}`)
	first := executeOne(t, flow, run)
	if lastNode(first) != "hot" || first.Payload == nil || !first.Payload.Kept {
		t.Fatalf("first run: path ends at %q, payload %+v", lastNode(first), first.Payload)
	}
	if string(first.Payload.Data) != `{"temp":45,"token":"[redacted]"}` {
		t.Errorf("kept data %s, want the token redacted", first.Payload.Data)
	}

	// The flow changes: 45 is no longer hot.
	changed := replayFlow("50")
	var enqueued *weir.Run
	rp := &engine.Replays{
		Flows: &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return changed, nil }},
		Logs: &mock.LogService{FindLogEntriesFn: func(_ context.Context, flowID string, f weir.LogFilter) ([]*weir.LogEntry, error) {
			if flowID != "f1" || f.RunID != first.ID || !f.WithPayload {
				return nil, nil
			}
			return []*weir.LogEntry{first}, nil
		}},
		Runs: &mock.RunQueue{EnqueueRunFn: func(_ context.Context, r *weir.Run) error { enqueued = r; return nil }},
	}
	got, err := rp.Replay(t.Context(), engine.Replay{ApplicationID: "a1", FlowID: "f1", RunID: first.ID,
		RelayType: "user", RelayID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if got != enqueued || got.ID == run.ID || got.ReplayOf != run.ID || got.FlowVersion != weir.DevelopVersion ||
		got.TriggerKey != "t" || got.RelayID != "u1" || string(got.Data) != string(first.Payload.Data) {
		t.Fatalf("replay run %+v", got)
	}
	second := executeOne(t, changed, got)
	if lastNode(second) != "cool" || second.ReplayOf != run.ID || second.ID != got.ID {
		t.Errorf("replay: path ends at %q, replayOf %q, id %q", lastNode(second), second.ReplayOf, second.ID)
	}

	// With a default version, the replay runs that version, as the
	// trigger would now, though the original ran develop.
	withDefault := replayFlow("40")
	def := versionID
	withDefault.DefaultVersionID = &def
	rp.Flows = &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return withDefault, nil }}
	rp.Versions = &mock.FlowVersionService{FindFlowVersionFn: func(_ context.Context, _, _, idOrName string) (*weir.FlowVersion, error) {
		if idOrName != versionID {
			return nil, weir.Errorf(weir.NotFound, "Flow version was not found")
		}
		return &weir.FlowVersion{ID: versionID, Version: "v1", Enabled: true, Definition: changed.Definition}, nil
	}}
	got, err = rp.Replay(t.Context(), engine.Replay{ApplicationID: "a1", FlowID: "f1", RunID: first.ID})
	if err != nil || got.FlowVersion != "v1" {
		t.Fatalf("replay with a default version: run %+v, %v; want version v1", got, err)
	}
	rp.Versions = nil

	// Errors, each typed, each enqueueing nothing.
	enqueued = nil
	notKept := *first
	notKept.Payload = nil
	tooLarge := *first
	tooLarge.Payload = &weir.RunPayload{Reason: "the trigger payload is 70000 bytes"}
	gone := replayFlow("50")
	gone.Triggers[0].Key = "other"
	off := replayFlow("50")
	off.Enabled = false
	for _, tc := range []struct {
		name    string
		entry   *weir.LogEntry
		flow    *weir.Flow
		version string
		want    weir.ErrorType
	}{
		{"RunNotFound", nil, changed, "", weir.NotFound},
		{"PayloadNotKept", &notKept, changed, "", weir.Validation},
		{"PayloadTooLarge", &tooLarge, changed, "", weir.Validation},
		{"TriggerGone", first, gone, "", weir.Validation},
		{"FlowDisabled", first, off, "", weir.Validation},
		{"VersionNotFound", first, changed, "v9", weir.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp.Flows = &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return tc.flow, nil }}
			rp.Logs = &mock.LogService{FindLogEntriesFn: func(context.Context, string, weir.LogFilter) ([]*weir.LogEntry, error) {
				if tc.entry == nil {
					return nil, nil
				}
				return []*weir.LogEntry{tc.entry}, nil
			}}
			_, err := rp.Replay(t.Context(), engine.Replay{ApplicationID: "a1", FlowID: "f1", RunID: run.ID, FlowVersion: tc.version})
			if weir.ErrorTypeOf(err) != tc.want || enqueued != nil {
				t.Errorf("err %v (%s), enqueued %v; want %s and nothing enqueued", err, weir.ErrorTypeOf(err), enqueued, tc.want)
			}
		})
	}
}
