package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
	_ "github.com/weirhq/weir/nodes"
)

// TestExecutorNamesWritesAlikeEachExecution executes one run twice, as a
// queue does when the first execution crashed, on a flow whose writes happen
// on concurrent branches and in a parallel loop, and checks that both
// executions give each write the same effect, unique within the execution.
func TestExecutorNamesWritesAlikeEachExecution(t *testing.T) {
	flow := &weir.Flow{ID: "f1", ApplicationID: "a1", Name: "effects", Enabled: true, Definition: weir.Definition{
		Triggers: []weir.Trigger{{Key: "t", Type: "virtualButton", OutputIDs: [][]string{{"a", "b"}}}},
		Nodes: []weir.Node{
			node("a", "StoreValueNode", `{"keyName":"a","valueType":"incr"}`, []string{"a2"}),
			node("a2", "StoreValueNode", `{"keyName":"a","valueType":"incr"}`),
			node("b", "LoopNode", `{"loopSourcePath":"data.items","currentItemPath":"item","parallel":true}`,
				[]string{"after"}, []string{"body"}),
			node("body", "StoreValueNode", `{"keyName":"loop{{item.index}}","valueType":"incr"}`, []string{"cap"}),
			node("cap", "LoopCapNode", `{"loopNodeId":"b"}`),
			node("after", "StoreValueNode", `{"keyName":"after","valueType":"incr"}`),
		},
	}}
	const items = 6
	run := run1()
	run.Data = json.RawMessage(`{"items":[1,2,3,4,5,6]}`)
	again := *run

	var mu sync.Mutex
	keys := map[string][]string{} // effect step -> keys written under it, one per execution
	storage := &mock.StorageService{
		IncrStorageEntryFn: func(ctx context.Context, _, key string, _ float64) (float64, error) {
			e, ok := weir.EffectFromContext(ctx)
			if !ok || e.RunID != run.ID {
				return 0, fmt.Errorf("incr of %q with effect %+v, %v; want one of run %s", key, e, ok, run.ID)
			}
			mu.Lock()
			defer mu.Unlock()
			keys[e.Step] = append(keys[e.Step], key)
			return 1, nil
		},
	}
	q, done := queueOf(run, &again)
	e := &engine.Executor{
		Queue: q, Storage: storage,
		Flows: &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) {
			return flow, nil
		}},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	for range 2 {
		mustComplete(t, done)
	}
	if want := 3 + items; len(keys) != want {
		t.Errorf("writes were named with %d effects, want %d: %v", len(keys), want, keys)
	}
	for step, ks := range keys {
		if len(ks) != 2 || ks[0] != ks[1] {
			t.Errorf("effect %q named writes of keys %q, want one write of the same key per execution", step, ks)
		}
	}
}
