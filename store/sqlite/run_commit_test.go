package sqlite_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
)

// commitOf is a RunCommit of a run of f with keys.
func commitOf(f *weir.Flow, keys ...weir.StagedKey) *weir.RunCommit {
	run := &weir.Run{ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion}
	for i := range keys {
		keys[i].FlowID = f.ID
	}
	return &weir.RunCommit{Run: run, Keys: keys,
		Entry: &weir.LogEntry{ID: run.ID, Time: time.Now().UTC().Truncate(time.Millisecond), RunCount: 1, PathsCompleted: 1}}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// TestSubmitRun commits runs executed before they were queued: a commit
// whose reads still hold applies its writes, log entry and stats at once;
// one whose read changed, or whose new key finds no room, applies nothing;
// and a commit may expect what the one submitted before it writes.
func TestSubmitRun(t *testing.T) {
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) { db.MaxStorageKeys = 2 })
	ctx := t.Context()
	f := mustAppFlow(t, db)
	logs := func() int {
		entries, err := db.FindLogEntries(ctx, f.ID, weir.LogFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	value := func(key string) string {
		v, ok, err := db.StorageEntry(ctx, f.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "absent"
		}
		return string(v)
	}

	// Two runs submitted back to back: the second read what the first
	// writes before it was committed.
	first := db.SubmitRun(ctx, commitOf(f, weir.StagedKey{Key: "n", Read: true, Write: true, New: raw("1")}))
	second := db.SubmitRun(ctx, commitOf(f, weir.StagedKey{Key: "n", Read: true, Old: raw("1"), Write: true, New: raw("2")},
		weir.StagedKey{Key: "s", Write: true, New: raw(`{ "a" : 1 }`)}))
	if err := first(); err != nil {
		t.Fatal(err)
	}
	if err := second(); err != nil {
		t.Fatal(err)
	}
	if value("n") != "2" || value("s") != `{"a":1}` || logs() != 2 {
		t.Fatalf("after two commits n = %s, s = %s, %d log entries; want 2, {\"a\":1} (compacted), 2", value("n"), value("s"), logs())
	}

	for _, tc := range []struct {
		name string
		keys []weir.StagedKey
		want error
	}{
		{"StaleUpdate", []weir.StagedKey{{Key: "n", Read: true, Old: raw("1"), Write: true, New: raw("2")}}, weir.ErrStaleRead},
		{"StaleRead", []weir.StagedKey{{Key: "s", Write: true, New: raw("9")}, {Key: "n", Read: true, Old: raw("5")}}, weir.ErrStaleRead},
		{"PresentWhenReadAbsent", []weir.StagedKey{{Key: "n", Read: true, Write: true, New: raw("1")}}, weir.ErrStaleRead},
		{"StaleDelete", []weir.StagedKey{{Key: "n", Read: true, Old: raw("7"), Write: true}}, weir.ErrStaleRead},
		{"AbsentWhenRead", []weir.StagedKey{{Key: "s", Write: true, New: raw("9")}, {Key: "gone", Read: true, Old: raw("1")}}, weir.ErrStaleRead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.SubmitRun(ctx, commitOf(f, tc.keys...))()
			if !errors.Is(err, tc.want) {
				t.Fatalf("SubmitRun() = %v, want %v", err, tc.want)
			}
			if value("n") != "2" || value("s") != `{"a":1}` || logs() != 2 {
				t.Errorf("after a refused commit n = %s, s = %s, %d log entries; want nothing changed", value("n"), value("s"), logs())
			}
		})
	}

	t.Run("KeyCap", func(t *testing.T) {
		err := db.SubmitRun(ctx, commitOf(f, weir.StagedKey{Key: "third", Read: true, Write: true, New: raw("1")}))()
		if weir.ErrorTypeOf(err) != weir.Validation || value("third") != "absent" || logs() != 2 {
			t.Fatalf("a third key under a cap of 2: %v, third = %s, %d log entries; want Validation and nothing stored", err, value("third"), logs())
		}
	})

	t.Run("DeleteAndReadAbsent", func(t *testing.T) {
		err := db.SubmitRun(ctx, commitOf(f, weir.StagedKey{Key: "s", Read: true, Old: raw(`{"a":1}`), Write: true},
			weir.StagedKey{Key: "none", Read: true}))()
		if err != nil || value("s") != "absent" || logs() != 3 {
			t.Fatalf("delete s: %v, s = %s, %d log entries; want s deleted and the run logged", err, value("s"), logs())
		}
	})

	t.Run("FlowDeleted", func(t *testing.T) {
		g := mustAppFlow(t, db)
		if err := db.DeleteFlow(ctx, g.ApplicationID, g.ID); err != nil {
			t.Fatal(err)
		}
		err := db.SubmitRun(ctx, commitOf(g, weir.StagedKey{Key: "n", Write: true, New: raw("1")}))()
		if weir.ErrorTypeOf(err) != weir.NotFound {
			t.Fatalf("commit of a deleted flow's run = %v, want NotFound", err)
		}
	})
}
