package engine_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// TestExecutorFlowErrorScopes fails a run of flow f1 (of each class) and
// checks which Workflow Error triggers of f1 and of the other flows fire,
// and in which order.
func TestExecutorFlowErrorScopes(t *testing.T) {
	handler := func(id, class, scope string) *weir.Flow {
		return &weir.Flow{ID: id, ApplicationID: "a1", Name: id, Enabled: true, FlowClass: class, Definition: weir.Definition{
			Triggers: []weir.Trigger{{Key: id + "-flowError", Type: "flowError", Config: json.RawMessage(`{"scope":"` + scope + `"}`), OutputIDs: [][]string{{"h"}}}},
			Nodes:    []weir.Node{node("h", "TestPortNode", `{"port":0}`)},
		}}
	}
	others := []*weir.Flow{
		handler("cloudGlobal", weir.FlowClassCloud, "global"),
		handler("cloudCloud", weir.FlowClassCloud, "cloud"),
		handler("cloudExperience", weir.FlowClassCloud, "experience"),
		handler("expExperience", weir.FlowClassExperience, "experience"),
		handler("cloudLocal", weir.FlowClassCloud, "local"),
		handler("edgeGlobal", weir.FlowClassEdge, "global"),
	}
	off := handler("offGlobal", weir.FlowClassCloud, "global")
	off.Enabled = false
	tests := []struct {
		class string
		want  []string // handler flows, in the order they start
	}{
		{weir.FlowClassCloud, []string{"f1", "cloudGlobal", "cloudCloud"}},
		{weir.FlowClassExperience, []string{"f1", "expExperience", "cloudExperience", "cloudGlobal"}},
		{weir.FlowClassEdge, []string{"f1", "edgeGlobal"}},
	}
	for _, tc := range tests {
		t.Run(tc.class, func(t *testing.T) {
			f1 := executorFlow(true, node("n", "TestFailNode", `{}`), node("h", "TestPortNode", `{"port":0}`))
			f1.FlowClass = tc.class
			f1.Triggers = append(f1.Triggers, weir.Trigger{Key: "f1-flowError", Type: "flowError", Config: json.RawMessage(`{}`), OutputIDs: [][]string{{"h"}}})
			all := append([]*weir.Flow{f1, off}, others...)
			r := run1()
			r.Data = json.RawMessage(`{"replyId":"req.1"}`)
			q, done := queueOf(r)
			var enqueued []*weir.Run
			q.EnqueueRunFn = func(_ context.Context, run *weir.Run) error { enqueued = append(enqueued, run); return nil }
			e := &engine.Executor{
				Queue: q, RunTimeout: time.Minute,
				Flows: &mock.FlowService{
					FindFlowByIDFn: func(_ context.Context, _, id string) (*weir.Flow, error) {
						for _, f := range all {
							if f.ID == id {
								return f, nil
							}
						}
						return nil, weir.Errorf(weir.NotFound, "Flow was not found")
					},
					FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return all, len(all), nil },
				},
				Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
					return &weir.Application{ID: "a1", Name: "app"}, nil
				}},
			}
			if err := e.Open(); err != nil {
				t.Fatal(err)
			}
			<-done
			if err := e.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range enqueued {
				got = append(got, h.FlowID)
				var data struct{ ReplyID string }
				_ = json.Unmarshal(h.Data, &data)
				wantID := "f1-flowError"
				if h.FlowID == "edgeGlobal" {
					wantID = "global-flowError"
				}
				if h.TriggerID != wantID {
					t.Errorf("handler run of %s: triggerId %s, want %s", h.FlowID, h.TriggerID, wantID)
				}
				if data.ReplyID != "req.1" || h.TriggerKey != h.FlowID+"-flowError" {
					t.Errorf("handler run of %s: key %s, data %s; want its trigger and the failed request's reply id", h.FlowID, h.TriggerKey, h.Data)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("handlers %v, want %v", got, tc.want)
			}
		})
	}
}
