package nodes_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDelayNode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		start := time.Now()
		run := runFlowNode(t, t.Context(), "DelayNode", map[string]any{"delay": "{{data.s}}"}, map[string]any{"s": 0.05})
		if errs := runErrors(run.res); errs != nil || run.res.PathsCompleted != 1 {
			t.Fatalf("run = %+v, want one completed path", run.res)
		}
		if el := time.Since(start); el < 50*time.Millisecond {
			t.Errorf("run took %v, want at least the 50ms delay", el)
		}
	})
	t.Run("ErrRunDeadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		run := runFlowNode(t, ctx, "DelayNode", map[string]any{"delay": 50}, nil)
		if got := strings.Join(runErrors(run.res), ","); got != "n: TimeoutError" {
			t.Fatalf("run errors = %q, want the run's TimeoutError", got)
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("run took %v, want it to end at the deadline", el)
		}
	})
	t.Run("ErrOutOfRange", func(t *testing.T) {
		run := runFlowNode(t, t.Context(), "DelayNode", map[string]any{"delay": "{{data.s}}"}, map[string]any{"s": 61})
		if got := strings.Join(runErrors(run.res), ","); got != "n: Validation" {
			t.Fatalf("run errors = %q, want Validation", got)
		}
	})
}
