package postgres_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/postgres"
)

// TestEnqueueRunOncePerID enqueues one run id from two DBs on one schema
// (two processes firing the same timer tick), before and after the run
// completed: only the first is queued.
func TestEnqueueRunOncePerID(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	a := mustOpenDB(t, dsn, schema, nil)
	b := mustOpenDB(t, dsn, schema, nil)
	f := mustAppFlow(t, a)
	tick := func(id string) *weir.Run {
		return &weir.Run{ID: id, ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
			TriggerType: "timer", Data: json.RawMessage(`{}`)}
	}
	t.Run("ErrAfterCompletion", func(t *testing.T) {
		if err := a.EnqueueRun(context.Background(), tick("tick-1")); err != nil {
			t.Fatal(err)
		}
		runs := mustClaim(t, a, 1)
		if err := a.CompleteRun(context.Background(), runs[0], &weir.LogEntry{ID: runs[0].ID, RunCount: 1}); err != nil {
			t.Fatal(err)
		}
		if err := b.EnqueueRun(context.Background(), tick("tick-1")); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("EnqueueRun of a completed tick on another DB = %v, want Validation", err)
		}
	})
	t.Run("ErrConcurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			db := []*postgres.DB{a, b}[i%2]
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = db.EnqueueRun(context.Background(), tick("tick-2")) }()
		}
		wg.Wait()
		queued := 0
		for _, err := range errs {
			switch weir.ErrorTypeOf(err) {
			case "":
				queued++
			case weir.Validation:
			default:
				t.Errorf("EnqueueRun = %v, want nil or Validation", err)
			}
		}
		if queued != 1 {
			t.Errorf("%d of 8 concurrent enqueues of one id queued, want 1", queued)
		}
	})
	t.Run("OtherIDsOK", func(t *testing.T) {
		if err := b.EnqueueRun(context.Background(), tick("tick-3")); err != nil {
			t.Errorf("EnqueueRun of a new id = %v, want nil", err)
		}
	})
}
