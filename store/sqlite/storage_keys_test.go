package sqlite_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
)

// TestStorageKeyCap checks MaxStorageKeys: a new key past the cap fails with
// Validation and changes nothing, while existing keys can still be replaced
// and incremented, and a freed place can be used again.
func TestStorageKeyCap(t *testing.T) {
	ctx := t.Context()
	db := mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) { db.MaxStorageKeys = 3 })
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
}
