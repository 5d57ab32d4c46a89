package sqlite_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/store/sqlite"
)

// TestCheckpointKeepsLogSmall writes 10 MB of storage values in ten
// rounds with pauses longer than the checkpoint interval between them: the
// background checkpoint copies each round into the database file, so the
// write-ahead log is started over and stays near one round's size instead
// of holding all ten.
func TestCheckpointKeepsLogSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenDB(t, path, nil)
	f := mustAppFlow(t, db)
	value := json.RawMessage(strconv.Quote(strings.Repeat("x", 10_000)))
	for round := range 10 {
		for i := range 100 {
			if err := db.SetStorageEntry(t.Context(), f.ID, "k"+strconv.Itoa(round*100+i), value); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(600 * time.Millisecond) // > the 200 ms between checkpoints, with room for a slow one
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 4<<20 {
		t.Errorf("write-ahead log is %d bytes after 10 MB written in checkpointed rounds, want at most 4 MiB", st.Size())
	}
	data, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if data.Size() < 8<<20 {
		t.Errorf("database file is %d bytes, want the 10 MB checkpointed into it", data.Size())
	}
}

// TestCheckpointBoundsLogUnderSustainedWrites writes 5 MB without a pause:
// a passive checkpoint never catches up with such a writer, so the log
// would hold all of it; the writer has it start over once it is over its
// limit (at most half the reserve), so it stays near that: 1 MiB here.
// While a background checkpoint runs the writer goes on, up to half the
// limit more, then waits for it: however slow the machine, the log stays
// under 1.5 MiB and the commit that crossed it, within the 2 MiB asked.
func TestCheckpointBoundsLogUnderSustainedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenDB(t, path, func(db *sqlite.DB) { db.ReserveBytes = 2 << 20 }) // log limit 1 MiB
	f := mustAppFlow(t, db)
	value := json.RawMessage(strconv.Quote(strings.Repeat("x", 10_000)))
	var largest int64
	for i := range 500 {
		if err := db.SetStorageEntry(t.Context(), f.ID, "k"+strconv.Itoa(i%500), value); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path + "-wal"); err == nil {
			largest = max(largest, st.Size())
		}
	}
	if largest > 2<<20 {
		t.Errorf("write-ahead log reached %d bytes under 5 MB of sustained writes, want at most 2 MiB", largest)
	}
	t.Logf("largest write-ahead log: %d bytes", largest)
}
