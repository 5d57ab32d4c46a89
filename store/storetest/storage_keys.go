package storetest

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir"
)

// RunStorageKeyCap runs the suite of the cap on keys per flow. open must
// return a new, empty store whose cap is maxKeys and close it in t.Cleanup.
func RunStorageKeyCap(t *testing.T, open func(t *testing.T, maxKeys int) Store) {
	// A new key past the cap fails with Validation and changes nothing,
	// while existing keys can still be replaced and incremented, and a
	// freed place can be used again.
	t.Run("Cap", func(t *testing.T) {
		ctx := t.Context()
		db := open(t, 3)
		f := mustAppFlow(t, db)
		other := mustAppFlow(t, db)
		for _, k := range []string{"a", "b", "c"} {
			if err := db.SetStorageEntry(ctx, f.ID, k, json.RawMessage(`1`)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetStorageEntry(ctx, f.ID, "d", json.RawMessage(`1`)); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("a fourth key = %v, want Validation", err)
		}
		if _, err := db.IncrStorageEntry(ctx, f.ID, "e", 1); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("incrementing a new fourth key = %v, want Validation", err)
		}
		if err := db.SetStorageEntry(ctx, f.ID, "b", json.RawMessage(`"replaced"`)); err != nil {
			t.Errorf("replacing a key at the cap: %v", err)
		}
		if n, err := db.IncrStorageEntry(ctx, f.ID, "c", 2); err != nil || n != 3 {
			t.Errorf("incrementing a key at the cap = %v, %v, want 3", n, err)
		}
		if err := db.SetStorageEntry(ctx, other.ID, "d", json.RawMessage(`1`)); err != nil {
			t.Errorf("another flow's storage is capped separately: %v", err)
		}
		entries, err := db.StorageEntries(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 || string(entries["b"]) != `"replaced"` || string(entries["c"]) != `3` {
			t.Errorf("entries after the refusals = %s, want a, b (replaced), c (3)", entries)
		}
		if _, err := db.DeleteStorageEntry(ctx, f.ID, "a"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetStorageEntry(ctx, f.ID, "d", json.RawMessage(`1`)); err != nil {
			t.Errorf("a new key after a deletion: %v", err)
		}
	})

	// For writes named as effects of a run, a refused new key is not
	// recorded as done, so the run executed again is refused again, and an
	// effect recorded before the cap was reached replays as done.
	t.Run("Effects", func(t *testing.T) {
		db := open(t, 1)
		f := mustAppFlow(t, db)
		run := weir.NewID()
		first := weir.WithEffect(t.Context(), weir.Effect{RunID: run, Step: "n1"})
		if err := db.SetStorageEntry(first, f.ID, "a", json.RawMessage(`1`)); err != nil {
			t.Fatal(err)
		}
		second := weir.WithEffect(t.Context(), weir.Effect{RunID: run, Step: "n2"})
		for range 2 {
			if err := db.SetStorageEntry(second, f.ID, "b", json.RawMessage(`1`)); weir.ErrorTypeOf(err) != weir.Validation {
				t.Fatalf("a second key past a cap of 1 = %v, want Validation", err)
			}
			if _, err := db.IncrStorageEntry(second, f.ID, "c", 1); weir.ErrorTypeOf(err) != weir.Validation {
				t.Fatalf("incrementing a new key past the cap = %v, want Validation", err)
			}
		}
		if err := db.SetStorageEntry(first, f.ID, "a", json.RawMessage(`1`)); err != nil {
			t.Errorf("replaying the first run's write: %v", err)
		}
	})
}
