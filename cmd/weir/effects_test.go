package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
	"github.com/weirhq/weir/store/sqlite"
)

// TestRunExecutedAgainAfterCrashWritesOnce executes a run whose storage
// writes commit, then "crashes" before the run is completed (completing
// fails, and the executor and database close), reopens the database, which
// offers the run again, and checks that the second execution leaves each
// counter incremented once.
func TestRunExecutedAgainAfterCrashWritesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenSQLite(t, path)
	app := &weir.Application{Name: "app", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	flow := &weir.Flow{ApplicationID: app.ID, Name: "counter", Enabled: true, FlowClass: weir.FlowClassCloud,
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{Key: "t", Type: "virtualButton", OutputIDs: [][]string{{"a", "b"}}}},
			Nodes: []weir.Node{
				{ID: "a", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"hits","valueType":"incr"}`),
					OutputIDs: [][]string{{"a2"}}},
				{ID: "a2", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"hits","valueType":"incr"}`)},
				{ID: "b", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"other","valueType":"incr","value":"5"}`)},
			},
		}}
	if err := db.CreateFlow(t.Context(), flow); err != nil {
		t.Fatal(err)
	}
	run := &weir.Run{ApplicationID: app.ID, FlowID: flow.ID, FlowVersion: weir.DevelopVersion,
		TriggerType: "virtualButton", TriggerKey: "t", TriggerID: "t", Time: time.Now(), Data: json.RawMessage(`{}`)}
	if err := db.EnqueueRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}

	db = executeCrashAndAgain(t, db, path, flow.ID, 1, func() {
		checkCounters(t, db, flow.ID, "after the first execution", map[string]float64{"hits": 2, "other": 5})
	})
	checkCounters(t, db, flow.ID, "after the second execution", map[string]float64{"hits": 2, "other": 5})
}

// TestRunExecutedAgainAfterCrashDecidesAlike has an On Change node decide
// a run's path by the node state the run updates: executed again after a
// crash, the run sees the state the first execution replaced, takes the same
// path and writes once.
func TestRunExecutedAgainAfterCrashDecidesAlike(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenSQLite(t, path)
	app := &weir.Application{Name: "app", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	flow := &weir.Flow{ApplicationID: app.ID, Name: "changes", Enabled: true, FlowClass: weir.FlowClassCloud,
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{Key: "t", Type: "virtualButton", OutputIDs: [][]string{{"c"}}}},
			Nodes: []weir.Node{
				{ID: "c", Type: "BranchOnChangeNode", Config: json.RawMessage(`{"valuePath":"data.v"}`),
					OutputIDs: [][]string{{"same"}, {"changed"}}},
				{ID: "same", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"same","valueType":"incr"}`)},
				{ID: "changed", Type: "StoreValueNode", Config: json.RawMessage(`{"keyName":"changed","valueType":"incr"}`)},
			},
		}}
	if err := db.CreateFlow(t.Context(), flow); err != nil {
		t.Fatal(err)
	}
	press := func(v int) {
		run := &weir.Run{ApplicationID: app.ID, FlowID: flow.ID, FlowVersion: weir.DevelopVersion,
			TriggerType: "virtualButton", TriggerKey: "t", TriggerID: "t", Time: time.Now(),
			Data: json.RawMessage(fmt.Sprintf(`{"v":%d}`, v))}
		if err := db.EnqueueRun(t.Context(), run); err != nil {
			t.Fatal(err)
		}
	}
	press(1) // the first value: no change
	e := startTestExecutor(t, db, db)
	waitFor(t, 10*time.Second, "the first run to complete", func() bool {
		entries, err := db.FindLogEntries(t.Context(), flow.ID, weir.LogFilter{})
		return err == nil && len(entries) == 1
	})
	e.Close(t.Context())

	press(2) // a change
	db = executeCrashAndAgain(t, db, path, flow.ID, 2, func() {
		checkCounters(t, db, flow.ID, "after the first execution", map[string]float64{"same": 1, "changed": 1})
	})
	checkCounters(t, db, flow.ID, "after the second execution", map[string]float64{"same": 1, "changed": 1})
}

// executeCrashAndAgain executes the run waiting in the database at path,
// open as db, until completing it fails as if the process died; calls
// check; closes and reopens the database, which offers the run again; and
// waits until the run is completed, when the flow has logs entries. It
// returns the reopened database.
func executeCrashAndAgain(t *testing.T, db *sqlite.DB, path, flowID string, logs int, check func()) *sqlite.DB {
	t.Helper()
	crashed := make(chan struct{})
	var once sync.Once
	first := startTestExecutor(t, db, &mock.RunQueue{
		ClaimRunsFn: db.ClaimRuns,
		CompleteRunFn: func(context.Context, *weir.Run, *weir.LogEntry) error {
			once.Do(func() { close(crashed) })
			return errors.New("the process died")
		},
	})
	select {
	case <-crashed:
	case <-time.After(10 * time.Second):
		t.Fatal("the run never executed")
	}
	first.Close(t.Context())
	check()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenSQLite(t, path) // the run is pending again
	second := startTestExecutor(t, db, db)
	t.Cleanup(func() { second.Close(context.Background()) })
	waitFor(t, 10*time.Second, "the run to complete", func() bool {
		entries, err := db.FindLogEntries(t.Context(), flowID, weir.LogFilter{})
		return err == nil && len(entries) == logs
	})
	return db
}

func mustOpenSQLite(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// startTestExecutor runs the runs of q on db's flows and storage.
func startTestExecutor(t *testing.T, db *sqlite.DB, q weir.RunQueue) *engine.Executor {
	t.Helper()
	e := &engine.Executor{Queue: q, Flows: db, Versions: db, Applications: db, Storage: db, State: db}
	if err := e.Open(); err != nil {
		t.Fatal(err)
	}
	return e
}

// checkCounters fails t unless the flow's storage holds want.
func checkCounters(t *testing.T, db *sqlite.DB, flowID, when string, want map[string]float64) {
	t.Helper()
	for key, n := range want {
		raw, _, err := db.StorageEntry(t.Context(), flowID, key)
		var got float64
		if err == nil {
			err = json.Unmarshal(raw, &got)
		}
		if err != nil || got != n {
			t.Errorf("%s: %s = %s (%v), want %v", when, key, raw, err, n)
		}
	}
}
