package main

import (
	"bytes"
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// TestShutdownLeavesStuckRun starts weir serve with a 2 s shutdown timeout,
// presses a button whose run blocks in a node that ignores its context, and
// sends SIGTERM: the process must exit once the timeout (and the executor's
// AbandonWait) passed, and the run must still be queued.
func TestShutdownLeavesStuckRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a weir process")
	}
	const timeout = 2 * time.Second
	dir, addr := t.TempDir(), freeAddr(t)
	logged := &lockedWriter{w: &bytes.Buffer{}}
	p := startProcessWith(t, addr, dir, logged, "--shutdown-timeout", timeout.String())
	c := &client{t: t, base: "http://" + addr, token: p.token}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "stuck"}, &app)
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "Stuck",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": [][]string{{"stuck"}}}},
		"nodes":    []any{map[string]any{"id": "stuck", "type": "StuckNode", "config": map[string]any{}}},
	}, &flow)
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+flow.ID+"/virtualButton",
		map[string]any{"key": flow.Triggers[0].Key}, nil)
	time.Sleep(500 * time.Millisecond) // the run is claimed and stuck

	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	limit := timeout + engine.AbandonWait + 3*time.Second
	select {
	case err := <-exited:
		took := time.Since(start)
		t.Logf("weir serve exited %v after SIGTERM (shutdown timeout %v): %v", took.Round(time.Millisecond), timeout, err)
		if took < timeout {
			t.Errorf("exited after %v, before the shutdown timeout %v: the stuck run was not waited for", took, timeout)
		}
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-exited // before the cleanup's Wait
		t.Fatalf("weir serve still running %v after SIGTERM with --shutdown-timeout %v; log:\n%s", limit, timeout, logged.String())
	}

	// The stuck run was neither completed nor lost: it waits in the queue.
	db := mustOpenSQLite(t, filepath.Join(dir, "weir.db"))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	runs, err := db.ClaimRuns(ctx, 10)
	if err != nil {
		t.Fatalf("ClaimRuns after the shutdown: %v (the stuck run was lost)", err)
	}
	if len(runs) != 1 || runs[0].FlowID != flow.ID {
		t.Fatalf("queue after the shutdown holds %d runs, want the stuck run of flow %s", len(runs), flow.ID)
	}
}
