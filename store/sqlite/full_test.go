package sqlite_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
)

// TestFullDiskRefusesWritesAndRecovers caps the database a little above its
// size, as a full disk would, and writes until the cap is hit: the failing
// writes answer InsufficientStorage, everything written before stays intact
// and the file passes integrity_check, and writes succeed again once the cap
// is lifted, without reopening. A reopen finds everything too.
func TestFullDiskRefusesWritesAndRecovers(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenDB(t, path, nil)
	f := mustAppFlow(t, db)
	pages, err := db.SetMaxPages(ctx, 1) // the cap cannot go below the size: it answers the size
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.SetMaxPages(ctx, pages+20); err != nil || got != pages+20 {
		t.Fatalf("SetMaxPages(%d) = %d, %v", pages+20, got, err)
	}

	value := json.RawMessage(`"` + strings.Repeat("x", 8000) + `"`)
	stored := map[string]bool{}
	var fullErr error
	for i := 0; i < 1000 && fullErr == nil; i++ {
		key := fmt.Sprintf("k%d", i)
		if fullErr = db.SetStorageEntry(ctx, f.ID, key, value); fullErr == nil {
			stored[key] = true
		}
	}
	if weir.ErrorTypeOf(fullErr) != weir.InsufficientStorage {
		t.Fatalf("writing past the cap: %v, want an InsufficientStorage error", fullErr)
	}
	if len(stored) == 0 {
		t.Fatal("no write fitted under the cap; the test proves nothing")
	}
	if _, err := db.IncrStorageEntry(ctx, f.ID, "counter", 1); err != nil && weir.ErrorTypeOf(err) != weir.InsufficientStorage {
		t.Errorf("an increment when full = %v, want nil or InsufficientStorage", err)
	}
	if err := db.EnqueueRun(ctx, &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion, Data: json.RawMessage(`{"big":` + string(value) + `}`)}); weir.ErrorTypeOf(err) != weir.InsufficientStorage {
		t.Errorf("EnqueueRun when full = %v, want InsufficientStorage", err)
	}
	checkStored := func(db *sqlite.DB) {
		t.Helper()
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := db.StorageEntries(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		for k := range stored {
			if string(entries[k]) != string(value) {
				t.Fatalf("entry %s lost or changed after the disk filled", k)
			}
		}
	}
	checkStored(db)

	if _, err := db.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		key := fmt.Sprintf("after%d", i)
		if err := db.SetStorageEntry(ctx, f.ID, key, value); err != nil {
			t.Fatalf("write after space came back: %v", err)
		}
		stored[key] = true
	}
	checkStored(db)
	mustClose(t, db)
	checkStored(mustOpenDB(t, path, nil))
	t.Logf("%d entries of 8 KB fitted under a cap of %d pages; all intact after the refusals and a reopen", len(stored)-50, pages+20)
}
