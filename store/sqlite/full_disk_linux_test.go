//go:build linux

package sqlite_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlite"
)

// mustSmallDisk mounts a file system of size bytes (tmpfs) on a temporary
// directory and returns it, or skips t where this process may not mount
// (it needs root or CAP_SYS_ADMIN; the max_page_count tests run anywhere).
func mustSmallDisk(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("no small file system to fill: mount tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fillStorage writes values of n bytes under new keys until the store
// answers InsufficientStorage, and returns the keys written.
func fillStorage(t *testing.T, db *sqlite.DB, flowID, prefix string, n int) []string {
	t.Helper()
	value := json.RawMessage(`"` + strings.Repeat("x", n) + `"`)
	var keys []string
	for i := 0; ; i++ {
		key := fmt.Sprintf("%s%d", prefix, i)
		err := db.SetStorageEntry(t.Context(), flowID, key, value)
		if weir.ErrorTypeOf(err) == weir.InsufficientStorage {
			return keys
		} else if err != nil {
			t.Fatalf("writing until the disk is full: %v", err)
		}
		keys = append(keys, key)
		if i > 100_000 {
			t.Fatal("the disk never filled")
		}
	}
}

// TestRealFullDiskDeletesAndRecovers fills a real file system to the last
// byte, beside a file that takes most of it: deleting a key and clearing a
// flow's storage still work (the database keeps a reserve for them), and
// once the file is removed, writing several times what the disk held before
// succeeds without reopening, and the database is sound.
func TestRealFullDiskDeletesAndRecovers(t *testing.T) {
	dir := mustSmallDisk(t, 8<<20)
	ctx := t.Context()
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 4<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	db := mustOpenDB(t, filepath.Join(dir, "weir.db"), func(db *sqlite.DB) { db.ReserveBytes = 1 << 20 })
	f := mustAppFlow(t, db)

	keys := fillStorage(t, db, f.ID, "big", 12_000)
	keys = append(keys, fillStorage(t, db, f.ID, "small", 500)...) // to the last page
	if len(keys) == 0 {
		t.Fatal("nothing fitted on the disk; the test proves nothing")
	}
	if _, err := db.DeleteStorageEntry(ctx, f.ID, keys[0]); err != nil {
		t.Fatalf("deleting a key on a full disk: %v", err)
	}
	if err := db.ClearStorageEntries(ctx, f.ID); err != nil {
		t.Fatalf("clearing storage on a full disk: %v", err)
	}
	if entries, err := db.StorageEntries(ctx, f.ID); err != nil || len(entries) != 0 {
		t.Fatalf("storage after clear: %d entries, %v", len(entries), err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// Writing 3.6 MB (300 keys of 12 KB, twice over) onto the 5 MB
	// freed: a write may find the disk full while the log waits to be
	// copied into the database file, but the store must recover by itself
	// within a second, not stay full until it is reopened.
	value := json.RawMessage(`"` + strings.Repeat("y", 12_000) + `"`)
	refused := 0
	for i := range 600 {
		deadline := time.Now().Add(time.Second)
		for {
			err := db.SetStorageEntry(ctx, f.ID, fmt.Sprintf("after%d", i%300), value)
			if err == nil {
				break
			} else if weir.ErrorTypeOf(err) != weir.InsufficientStorage {
				t.Fatal(err)
			} else if time.Now().After(deadline) {
				des, _ := os.ReadDir(dir)
				for _, de := range des {
					fi, _ := de.Info()
					t.Logf("%s %d", de.Name(), fi.Size())
				}
				t.Fatalf("write %d after space came back: still refused a second later: %v", i, err)
			}
			refused++
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d keys filled the disk; delete and clear worked when full; 600 writes of 12 KB once the space came back (%d refusals retried)",
		len(keys), refused)
}
