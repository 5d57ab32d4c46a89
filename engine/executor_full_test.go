package engine_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

func init() {
	// TestStoreNode writes storage key "k" of the run's flow.
	engine.Register(engine.Spec{Type: "TestStoreNode"}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(ctx context.Context, env *engine.Env, _ engine.Payload) (int, error) {
			return 0, env.Storage.SetStorageEntry(ctx, env.FlowID, "k", json.RawMessage(`1`))
		}), nil
	})
}

// TestExecutorLeavesRunOnFullStore runs a flow whose storage write finds
// the store full: the run is not completed (recorded as failed, it would be
// lost) but left for the queue to offer again.
func TestExecutorLeavesRunOnFullStore(t *testing.T) {
	q, done := queueOf(run1())
	flow := executorFlow(true, node("n", "TestStoreNode", `{}`))
	var writes atomic.Int32
	e := &engine.Executor{
		Queue: q, RunTimeout: 5 * time.Second,
		Flows: &mock.FlowService{
			FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return flow, nil },
			FindFlowsFn:    func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return []*weir.Flow{flow}, 1, nil },
		},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
		Storage: &mock.StorageService{SetStorageEntryFn: func(context.Context, string, string, json.RawMessage) error {
			writes.Add(1)
			return weir.Errorf(weir.InsufficientStorage, "full")
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for writes.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if writes.Load() != 1 {
		t.Fatalf("%d storage writes, want the run to have tried once", writes.Load())
	}
	select {
	case entry := <-done:
		t.Fatalf("run completed with %+v; want it left for the queue to offer again", entry)
	case <-time.After(300 * time.Millisecond):
	}
}
