package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/postgres"
	"github.com/weirhq/weir/store/storetest"
)

func TestRunRecorderConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunRecorder(t, func(t *testing.T) storetest.RecorderStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

// TestRecordsPrunedAfterRetentionOK ages a recorded run and an effect
// record past their retention and checks that a DB's housekeeping (its first
// RecordRun runs it) deletes them, and nothing younger.
func TestRecordsPrunedAfterRetentionOK(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	db := mustOpenDB(t, dsn, schema, nil)
	f := mustAppFlow(t, db)
	ctx := context.Background()
	record := func(db *postgres.DB) string {
		t.Helper()
		id := weir.NewID()
		if err := db.RecordRun(ctx, &weir.Run{ID: id, ApplicationID: f.ApplicationID, FlowID: f.ID}, nil); err != nil {
			t.Fatal(err)
		}
		return id
	}
	recorded := func(id string, want bool) {
		t.Helper()
		if got, err := db.RunRecorded(ctx, id); err != nil || got != want {
			t.Fatalf("RunRecorded(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	incr := func(run string, want float64) {
		t.Helper()
		ectx := weir.WithEffect(ctx, weir.Effect{RunID: run, Step: "0"})
		if got, err := db.IncrStorageEntry(ectx, f.ID, "n", 1); err != nil || got != want {
			t.Fatalf("IncrStorageEntry = %v, %v; want %v", got, err, want)
		}
	}
	old, young := record(db), record(db)
	incr("old", 1)
	incr("young", 2)
	q := pgx.Identifier{schema}.Sanitize()
	mustExec(t, dsn, `UPDATE `+q+`.recorded_runs SET time = now() - $2::interval WHERE id = $1`, old, "61 minutes")
	mustExec(t, dsn, `UPDATE `+q+`.effects SET time = now() - $2::interval WHERE run_id = $1`, "old", "25 hours")

	record(mustOpenDB(t, dsn, schema, nil)) // a new DB housekeeps at once
	recorded(old, false)
	recorded(young, true)
	incr("young", 2) // remembered
	incr("old", 3)   // forgotten: applied again
}
