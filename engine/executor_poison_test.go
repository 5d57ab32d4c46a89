package engine_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// TestExecutorGivesUpOnPoisonRuns checks that a run which cannot execute, or
// was delivered weir.MaxRunAttempts times already, is recorded as failed
// with a readable error instead of being left to be offered again forever.
func TestExecutorGivesUpOnPoisonRuns(t *testing.T) {
	tests := []struct {
		name     string
		run      func(r *weir.Run)
		wantName string // "" for a run that executes normally
	}{
		{"OKBelowBound", func(r *weir.Run) { r.Attempt = weir.MaxRunAttempts - 1 }, ""},
		{"AttemptsExceeded", func(r *weir.Run) { r.Attempt = weir.MaxRunAttempts }, "RunAttemptsExceeded"},
		{"Undecodable", func(r *weir.Run) { r.DecodeError = "json: cannot unmarshal number into time" }, "RunDecodeError"},
		{"DataUnreadable", func(r *weir.Run) { r.Data = json.RawMessage(`{"x":1e400}`) }, "RunError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run1()
			tc.run(r)
			q, done := queueOf(r)
			e, _ := startExecutor(t, q, executorFlow(true, node("n", "TestPortNode", `{"port":0}`)), time.Minute)
			defer e.Close(context.Background())
			var entry *weir.LogEntry
			select {
			case entry = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the run was neither completed nor recorded as failed")
			}
			if entry == nil || entry.RunCount != 1 {
				t.Fatalf("completed with entry %+v, want a log entry", entry)
			}
			if tc.wantName == "" {
				if entry.PathsFailed != 0 || len(entry.Errors) != 0 {
					t.Fatalf("entry %+v, want the run executed without errors", entry)
				}
				return
			}
			if entry.PathsFailed != 1 || len(entry.Errors) != 1 || entry.Errors[0].Error.Name != tc.wantName ||
				entry.Errors[0].Error.Message == "" {
				t.Fatalf("entry %+v, want one failed path with a %s error", entry, tc.wantName)
			}
			msg := entry.Errors[0].Error.Message
			t.Logf("%s: %s", tc.wantName, msg)
			if tc.wantName == "RunAttemptsExceeded" && !strings.Contains(msg, "5 times") {
				t.Errorf("message %q does not say how often the run was started", msg)
			}
		})
	}
}
