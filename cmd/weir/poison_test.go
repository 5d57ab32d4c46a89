package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// TestRunKillingProcessGivesUp presses a button whose run kills weir serve
// each time it executes, and starts weir again after each death: after
// weir.MaxRunAttempts deliveries the next start records the run as failed
// (RunAttemptsExceeded in its log entry) instead of dying again.
func TestRunKillingProcessGivesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs weir processes")
	}
	dir, addr := t.TempDir(), freeAddr(t)
	logged := &lockedWriter{w: &bytes.Buffer{}}
	p := startProcessWith(t, addr, dir, logged)
	c := &client{t: t, base: "http://" + addr, token: p.token}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "poison"}, &app)
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "Crash",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": [][]string{{"crash"}}}},
		"nodes":    []any{map[string]any{"id": "crash", "type": "CrashNode", "config": map[string]any{}}},
	}, &flow)
	flowPath := "/applications/" + app.ID + "/flows/" + flow.ID
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": flow.Triggers[0].Key}, nil)

	deaths := 0
	for {
		exited := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(exited) }()
		select {
		case <-exited:
			deaths++
		case <-time.After(5 * time.Second):
			// Alive 5 s after its start: it gave up on the run. The
			// cleanup's Wait must not race this one.
			defer func() { _ = p.cmd.Process.Kill(); <-exited }()
			var logs []struct {
				Errors []weir.RunError
			}
			waitFor(t, 10*time.Second, "the run's log entry", func() bool {
				c.mustDo(200, "GET", flowPath+"/logs", nil, &logs)
				return len(logs) > 0
			})
			if deaths != weir.MaxRunAttempts {
				t.Errorf("weir died %d times before giving up on the run, want %d", deaths, weir.MaxRunAttempts)
			}
			if len(logs) != 1 || len(logs[0].Errors) != 1 || logs[0].Errors[0].Error.Name != "RunAttemptsExceeded" {
				t.Fatalf("log entries %+v, want one with a RunAttemptsExceeded error", logs)
			}
			t.Logf("after %d deaths: %s", deaths, logs[0].Errors[0].Error.Message)
			return
		}
		if deaths > weir.MaxRunAttempts+1 {
			t.Fatalf("weir died %d times: the run is retried without bound; log:\n%s", deaths, logged.String())
		}
		p = startProcessWith(t, addr, dir, logged)
	}
}
