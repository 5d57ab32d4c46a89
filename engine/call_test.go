package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
	_ "github.com/weirhq/weir/nodes"
)

// TestCallErrors runs a caller flow whose Custom Node node calls a custom
// node that fails, or that calls itself, and checks the caller's run fails
// with the custom node's error.
func TestCallErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     weir.Node
		wantName string
	}{
		{"InnerErrorHalts", node("boom", "TestFailNode", `{}`), "TypeError"},
		{"SelfCallStops", node("boom", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`), "RangeError"},
		{"MissingCustomNode", node("boom", "CustomNodeExecuteNode", `{"customNodeId":"nope"}`), "NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			custom := &weir.Flow{ID: "custom", ApplicationID: "a1", Name: "custom", Enabled: true, FlowClass: "customNode", Definition: weir.Definition{
				Triggers: []weir.Trigger{{Type: "customNodeStart", OutputIDs: [][]string{{"boom"}}}},
				Nodes:    []weir.Node{tc.body},
			}}
			caller := executorFlow(true, node("n", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`))
			flows := map[string]*weir.Flow{"f1": caller, "custom": custom}
			q, done := queueOf(run1())
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
			if entry == nil || entry.PathsFailed != 1 || len(entry.Errors) == 0 || entry.Errors[0].Error.Name != tc.wantName {
				b, _ := json.Marshal(entry)
				t.Errorf("caller log entry %s, want one failed path with a %s", b, tc.wantName)
			}
		})
	}
}
