package engine_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// queueOf returns a RunQueue mock that hands out runs once and reports each
// completion (entry may be nil) on the returned channel.
func queueOf(runs ...*weir.Run) (*mock.RunQueue, <-chan *weir.LogEntry) {
	done := make(chan *weir.LogEntry, len(runs))
	var once sync.Once
	q := &mock.RunQueue{
		ClaimRunsFn: func(ctx context.Context, max int) ([]*weir.Run, error) {
			var out []*weir.Run
			once.Do(func() { out = runs })
			if out != nil {
				return out, nil
			}
			<-ctx.Done()
			return nil, ctx.Err()
		},
		CompleteRunFn: func(_ context.Context, _ *weir.Run, e *weir.LogEntry) error {
			done <- e
			return nil
		},
	}
	return q, done
}

func executorFlow(enabled bool, nodes ...weir.Node) *weir.Flow {
	return &weir.Flow{ID: "f1", ApplicationID: "a1", Name: "exec", Enabled: enabled, Definition: weir.Definition{
		Triggers: []weir.Trigger{{Key: "t", Type: "virtualButton", OutputIDs: [][]string{{"n"}}}},
		Nodes:    nodes,
	}}
}

// startExecutor runs an executor over q whose flow lookups return flow (or
// NotFound for nil); started receives a value as each run looks its flow up.
func startExecutor(t *testing.T, q weir.RunQueue, flow *weir.Flow, timeout time.Duration) (e *engine.Executor, started <-chan struct{}) {
	t.Helper()
	lookups := make(chan struct{}, 16)
	e = &engine.Executor{
		Queue: q, RunTimeout: timeout,
		Flows: &mock.FlowService{
			FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) {
				lookups <- struct{}{}
				if flow == nil {
					return nil, weir.Errorf(weir.NotFound, "Flow was not found")
				}
				return flow, nil
			},
			FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
				if flow == nil {
					return nil, 0, nil
				}
				return []*weir.Flow{flow}, 1, nil
			},
		},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	return e, lookups
}

func run1() *weir.Run {
	return &weir.Run{ID: "r1", ApplicationID: "a1", FlowID: "f1", FlowVersion: "develop", TriggerKey: "t", Data: json.RawMessage(`{}`)}
}

func TestExecutorCompletesRuns(t *testing.T) {
	tests := []struct {
		name      string
		flow      *weir.Flow
		wantEntry bool
		wantFail  int
	}{
		{"OK", executorFlow(true, node("n", "TestPortNode", `{"port":0}`)), true, 0},
		{"NodeFails", executorFlow(true, node("n", "TestFailNode", `{}`)), true, 1},
		{"FlowDisabledDropped", executorFlow(false, node("n", "TestPortNode", `{}`)), false, 0},
		{"FlowDeletedDropped", nil, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, done := queueOf(run1())
			e, _ := startExecutor(t, q, tc.flow, time.Minute)
			defer e.Close(context.Background())
			select {
			case entry := <-done:
				if (entry != nil) != tc.wantEntry {
					t.Fatalf("completed with entry %+v, want entry: %v", entry, tc.wantEntry)
				}
				if entry != nil && (entry.RunCount != 1 || entry.PathsFailed != tc.wantFail || entry.FlowVersionID != "develop") {
					t.Errorf("entry %+v, want one develop run with %d failed paths", entry, tc.wantFail)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("run was never completed")
			}
		})
	}
}

func TestExecutorCloseAbandonsUnfinishedRuns(t *testing.T) {
	q, done := queueOf(run1())
	e, started := startExecutor(t, q, executorFlow(true, node("n", "TestBlockNode", `{}`)), time.Minute)
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.Close(ctx); err == nil {
		t.Error("Close() = nil with a run still blocked, want the context's error")
	}
	select {
	case entry := <-done:
		t.Errorf("abandoned run was completed with %+v; it must stay queued", entry)
	default:
	}
}

func TestExecutorFiresFlowErrorTriggers(t *testing.T) {
	tests := []struct {
		name        string
		scope       string
		triggerType string
		want        bool
	}{
		{"OKLocal", `{"scope":"local"}`, "virtualButton", true},
		{"OKDefaultScopeIsLocal", `{}`, "virtualButton", true},
		{"OKGlobal", `{"scope":"global"}`, "virtualButton", true},
		{"NoCascade", `{"scope":"local"}`, "flowError", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flow := executorFlow(true, node("n", "TestFailNode", `{}`), node("h", "TestPortNode", `{"port":0}`))
			flow.Triggers = append(flow.Triggers, weir.Trigger{Key: "f1-flowError", Type: "flowError", Config: json.RawMessage(tc.scope), OutputIDs: [][]string{{"h"}}})
			r := run1()
			r.TriggerType = tc.triggerType
			q, done := queueOf(r)
			enqueued := make(chan *weir.Run, 4)
			q.EnqueueRunFn = func(_ context.Context, run *weir.Run) error { enqueued <- run; return nil }
			e, _ := startExecutor(t, q, flow, time.Minute)
			defer e.Close(context.Background())
			<-done
			select {
			case h := <-enqueued:
				if !tc.want {
					t.Fatalf("a failed flowError run fired another one: %+v", h)
				}
				var data struct {
					ErrorInfo struct {
						Error  weir.ErrorDetails
						NodeID string
					}
					ErroredPayload map[string]any
				}
				_ = json.Unmarshal(h.Data, &data)
				if h.TriggerType != "flowError" || h.TriggerKey != "f1-flowError" || h.TriggerID != "f1-flowError" || h.RelayType != "flow" || h.RelayID != "f1" {
					t.Errorf("handler run %+v, want a flowError run of trigger f1-flowError relayed by flow f1", h)
				}
				if data.ErrorInfo.Error.Name != "TypeError" || data.ErrorInfo.NodeID != "n" || data.ErroredPayload["flowName"] != "exec" {
					t.Errorf("handler data %s, want the failing node's error and the errored payload", h.Data)
				}
			default:
				if tc.want {
					t.Fatal("no flowError run was enqueued")
				}
			}
		})
	}
}
