package engine_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// seenGlobals receives the payload globals of each TestGlobalsNode run.
var seenGlobals = make(chan map[string]any, 4)

func init() {
	engine.Register(engine.Spec{Type: "TestGlobalsNode"}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
			g, _ := p["globals"].(map[string]any)
			seenGlobals <- g
			return 0, nil
		}), nil
	})
}

// versionGlobals is an ExperienceVersionService whose develop version has
// globals gs, counting its lookups.
type versionGlobals struct {
	weir.ExperienceVersionService
	gs      []weir.Global
	lookups atomic.Int32
}

func (v *versionGlobals) FindExperienceVersion(_ context.Context, appID string) (*weir.ExperienceVersion, error) {
	v.lookups.Add(1)
	return &weir.ExperienceVersion{ApplicationID: appID, Globals: v.gs}, nil
}

// TestExecutorExperienceVersionGlobals: a run an experience endpoint
// started sees its experience version's globals over the application's of
// the same key, and the flow's over both; a run another trigger started
// sees the application's and the flow's only, and looks no version up.
func TestExecutorExperienceVersionGlobals(t *testing.T) {
	endpointRun := &weir.Run{ID: "r1", ApplicationID: "a1", FlowID: "f1", FlowVersion: "develop", TriggerKey: "t",
		TriggerType: "endpoint", Data: json.RawMessage(`{}`), Experience: json.RawMessage(`{"version":"develop","user":null}`)}
	buttonRun := &weir.Run{ID: "r2", ApplicationID: "a1", FlowID: "f1", FlowVersion: "develop", TriggerKey: "t",
		TriggerType: "virtualButton", Data: json.RawMessage(`{}`)}
	q, done := queueOf(endpointRun)
	flow := executorFlow(true, node("n", "TestGlobalsNode", `{}`))
	flow.Globals = []weir.Global{{Key: "flow", JSON: `"flow"`}, {Key: "both", JSON: `"flow"`}}
	versions := &versionGlobals{gs: []weir.Global{{Key: "title", JSON: `"version"`}, {Key: "both", JSON: `"version"`},
		{Key: "only", JSON: `{"from":"version"}`}}}
	e := &engine.Executor{
		Queue: q, RunTimeout: 5 * time.Second, Workers: 1,
		Flows: &mock.FlowService{
			FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return flow, nil },
			FindFlowsFn:    func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return []*weir.Flow{flow}, 1, nil },
		},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app", Globals: []weir.Global{{Key: "title", JSON: `"application"`},
				{Key: "app", JSON: `"application"`}, {Key: "both", JSON: `"application"`}}}, nil
		}},
		ExperienceVersions: versions,
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	want := map[string]any{"title": "version", "app": "application", "both": "flow", "flow": "flow", "only": map[string]any{"from": "version"}}
	if got := waitGlobals(t, done); !reflect.DeepEqual(got, want) {
		t.Errorf("endpoint run's globals = %v, want %v", got, want)
	}
	if n := versions.lookups.Load(); n != 1 {
		t.Errorf("%d version lookups for one endpoint run, want 1", n)
	}

	q2, done2 := queueOf(buttonRun)
	e2 := &engine.Executor{Queue: q2, RunTimeout: e.RunTimeout, Workers: 1, Flows: e.Flows, Applications: e.Applications,
		ExperienceVersions: versions}
	if err := e2.Open(); err != nil {
		t.Fatal(err)
	}
	defer e2.Close(context.Background())
	want = map[string]any{"title": "application", "app": "application", "both": "flow", "flow": "flow"}
	if got := waitGlobals(t, done2); !reflect.DeepEqual(got, want) {
		t.Errorf("button run's globals = %v, want %v", got, want)
	}
	if n := versions.lookups.Load(); n != 1 {
		t.Errorf("%d version lookups after a button run, want still 1", n)
	}
}

// waitGlobals returns the globals the next run's TestGlobalsNode saw, once
// that run is completed.
func waitGlobals(t *testing.T, done <-chan *weir.LogEntry) map[string]any {
	t.Helper()
	var g map[string]any
	select {
	case g = <-seenGlobals:
	case <-time.After(10 * time.Second):
		t.Fatal("the node never ran")
	}
	mustComplete(t, done)
	return g
}

// mustComplete waits for the next run to be completed without failures.
func mustComplete(t *testing.T, done <-chan *weir.LogEntry) {
	t.Helper()
	select {
	case entry := <-done:
		if entry == nil || entry.PathsFailed != 0 {
			t.Fatalf("run completed with %+v, want a run without failures", entry)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run was never completed")
	}
}
