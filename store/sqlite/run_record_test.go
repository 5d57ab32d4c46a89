package sqlite_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
	"github.com/weirhq/weir/store/storetest"
)

func TestRunRecorderConformance(t *testing.T) {
	storetest.RunRecorder(t, func(t *testing.T) storetest.RecorderStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

// TestRecordsPrunedAfterRetentionOK checks that recorded runs are forgotten
// after weir.RecordedRunRetention and effect records after
// weir.EffectRetention, and not before.
func TestRecordsPrunedAfterRetentionOK(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) {
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	f := mustAppFlow(t, db)
	record := func() string {
		t.Helper()
		id := weir.NewID()
		if err := db.RecordRun(t.Context(), &weir.Run{ID: id, ApplicationID: f.ApplicationID, FlowID: f.ID}, nil); err != nil {
			t.Fatal(err)
		}
		return id
	}
	recorded := func(id string, want bool) {
		t.Helper()
		if got, err := db.RunRecorded(t.Context(), id); err != nil || got != want {
			t.Fatalf("RunRecorded(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	incr := func(want float64) {
		t.Helper()
		ctx := weir.WithEffect(t.Context(), weir.Effect{RunID: "unfinished", Step: "0"})
		if got, err := db.IncrStorageEntry(ctx, f.ID, "n", 1); err != nil || got != want {
			t.Fatalf("IncrStorageEntry = %v, %v; want %v", got, err, want)
		}
	}

	old := record()
	incr(1)
	advance(weir.RecordedRunRetention - time.Minute)
	recorded(record(), true)
	recorded(old, true) // within the retention
	advance(2 * time.Minute)
	recorded(record(), true)
	recorded(old, false)
	incr(1) // the effect is still remembered

	advance(weir.EffectRetention)
	record()
	incr(2) // forgotten: applied again
}
