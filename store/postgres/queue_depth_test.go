package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/postgres"
)

// TestMaxQueuedSharedByDBsOK fills the queue through one DB and checks that
// another DB on the schema, which never enqueued, refuses the next run with
// Unavailable, and accepts one once a run completes.
func TestMaxQueuedSharedByDBsOK(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	const maxQueued = 20
	limit := func(db *postgres.DB) { db.MaxQueued = maxQueued }
	first := mustOpenDB(t, dsn, schema, limit)
	f := mustAppFlow(t, first)
	for range maxQueued {
		mustEnqueue(t, first, f)
	}
	over := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion}
	if err := first.EnqueueRun(context.Background(), over); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("EnqueueRun past %d runs on the DB that enqueued them = %v, want Unavailable", maxQueued, err)
	}

	second := mustOpenDB(t, dsn, schema, limit)
	over = &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion}
	if err := second.EnqueueRun(context.Background(), over); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("EnqueueRun past %d runs on another DB = %v, want Unavailable", maxQueued, err)
	}
	if err := first.CompleteRun(context.Background(), mustClaim(t, first, 1)[0], nil); err != nil {
		t.Fatal(err)
	}
	// second last counted within refusalFresh, perhaps: it may refuse
	// until that passes, never longer.
	waitUntil(t, "the other DB to accept a run once one completed", func() bool {
		r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion}
		err := second.EnqueueRun(context.Background(), r)
		if err != nil && weir.ErrorTypeOf(err) != weir.Unavailable {
			t.Fatal(err)
		}
		return err == nil
	})
	if err := second.EnqueueRun(context.Background(), over); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("EnqueueRun past %d runs again = %v, want Unavailable", maxQueued, err)
	}
}

// waitUntil polls cond until it holds, failing t after a few seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
