package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// versionID is the id of version v1 in these tests.
const versionID = "0123456789abcdef01234567"

func TestExecutorRunsVersions(t *testing.T) {
	// Develop ends cleanly; v1 fails its one node, so an entry tells which
	// definition ran.
	v1 := &weir.FlowVersion{ID: versionID, FlowID: "f1", ApplicationID: "a1", Version: "v1", Enabled: true,
		Definition: executorFlow(true, node("n", "TestFailNode", `{}`)).Definition}
	off := &weir.FlowVersion{ID: "0123456789abcdef01234568", FlowID: "f1", ApplicationID: "a1", Version: "off",
		Definition: v1.Definition}
	versions := &mock.FlowVersionService{FindFlowVersionFn: func(_ context.Context, appID, flowID, idOrName string) (*weir.FlowVersion, error) {
		for _, v := range []*weir.FlowVersion{v1, off} {
			if appID == v.ApplicationID && flowID == v.FlowID && (idOrName == v.ID || idOrName == v.Version) {
				c := *v
				return &c, nil
			}
		}
		return nil, weir.Errorf(weir.NotFound, "Flow version was not found")
	}}
	tests := []struct {
		name      string
		version   string
		versions  weir.FlowVersionService
		wantID    string // "" when the run is dropped
		wantFails int
	}{
		{"NamedVersionOK", "v1", versions, versionID, 1},
		{"DevelopOK", "develop", versions, "develop", 0},
		{"EmptyIsDevelopOK", "", versions, "develop", 0},
		{"DeletedVersionDropped", "v2", versions, "", 0},
		{"DisabledVersionDropped", "off", versions, "", 0},
		{"NoVersionServiceDropped", "v1", nil, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := run1()
			run.FlowVersion = tc.version
			q, done := queueOf(run)
			flow := executorFlow(true, node("n", "TestPortNode", `{"port":0}`))
			e := &engine.Executor{
				Queue: q, RunTimeout: time.Minute, Versions: tc.versions,
				Flows: &mock.FlowService{
					FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return flow, nil },
					FindFlowsFn:    func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return []*weir.Flow{flow}, 1, nil },
				},
				Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
					return &weir.Application{ID: "a1", Name: "app"}, nil
				}},
			}
			if err := e.Open(); err != nil {
				t.Fatal(err)
			}
			defer e.Close(context.Background())
			var entry *weir.LogEntry
			select {
			case entry = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("run was never completed")
			}
			if tc.wantID == "" {
				if entry != nil {
					t.Fatalf("entry = %+v, want the run dropped", entry)
				}
				return
			}
			if entry == nil {
				t.Fatal("run dropped, want an entry")
			}
			if entry.FlowVersionID != tc.wantID || entry.PathsFailed != tc.wantFails || entry.FlowVersion != run.FlowVersion {
				t.Errorf("entry = version %q (%s), %d failed paths; want %s with %d failed", entry.FlowVersion,
					entry.FlowVersionID, entry.PathsFailed, tc.wantID, tc.wantFails)
			}
		})
	}
}

func TestExecutorCachesGraphPerVersion(t *testing.T) {
	v1 := &weir.FlowVersion{ID: versionID, FlowID: "f1", ApplicationID: "a1", Version: "v1", Enabled: true,
		Definition: executorFlow(true, node("n", "TestFailNode", `{}`)).Definition}
	flow := executorFlow(true, node("n", "TestPortNode", `{"port":0}`))
	var runs []*weir.Run
	for i, v := range []string{"develop", "v1", "develop", "v1"} {
		r := run1()
		r.ID, r.FlowVersion = r.ID+string(rune('a'+i)), v
		runs = append(runs, r)
	}
	q, done := queueOf(runs...)
	e := &engine.Executor{
		Queue: q, RunTimeout: time.Minute,
		Versions: &mock.FlowVersionService{FindFlowVersionFn: func(context.Context, string, string, string) (*weir.FlowVersion, error) {
			c := *v1
			return &c, nil
		}},
		Flows: &mock.FlowService{
			FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) { return flow, nil },
			FindFlowsFn:    func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) { return []*weir.Flow{flow}, 1, nil },
		},
		Applications: &mock.ApplicationService{FindApplicationByIDFn: func(context.Context, string) (*weir.Application, error) {
			return &weir.Application{ID: "a1", Name: "app"}, nil
		}},
	}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	for range runs {
		select {
		case entry := <-done:
			if entry == nil {
				t.Fatal("run dropped, want an entry")
			}
			wantFails := map[string]int{"develop": 0, versionID: 1}[entry.FlowVersionID]
			if entry.PathsFailed != wantFails {
				t.Errorf("run of %s (%s) failed %d paths, want %d", entry.FlowVersion, entry.FlowVersionID, entry.PathsFailed, wantFails)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run was never completed")
		}
	}
}
