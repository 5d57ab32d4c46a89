package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCheckpointRestartsLogUnderLoad commits about 80 MB from 32 writers
// without a pause: with commits following each other the background
// checkpoint never catches up by itself (the log grew to 114 MiB), so the
// writer must checkpoint between transactions once the log passes its
// bound. The log then holds what is written between two background
// checkpoints, and its file is cut back to the bound when it starts over; the bound below leaves room for a slow checkpoint on a
// loaded machine.
func TestCheckpointRestartsLogUnderLoad(t *testing.T) {
	db, path := openScratchDB(t)
	ctx := context.Background()
	blob := make([]byte, 4000)
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Go(func() {
			for i := range 600 {
				err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO scratch (k, v) VALUES (?, ?)`, w*100+i%100, blob)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("write-ahead log: %d bytes after 19,200 writes of 4 KB", st.Size())
	if st.Size() > 48<<20 {
		t.Errorf("write-ahead log is %d bytes, want at most 48 MiB (the writer restarts it past 1 MiB)", st.Size())
	}
}

// TestCheckpointWriterWaitsForSlowCheckpoint holds the checkpoint lock, as
// a background checkpoint slower than the writes does, while a writer
// commits 4 KB at a time: the writer goes on until the log is half as large
// again as its limit, then waits instead of growing the log with every
// commit; once the checkpoint ends, it goes on.
func TestCheckpointWriterWaitsForSlowCheckpoint(t *testing.T) {
	db, path := openScratchDB(t)
	ctx := context.Background()
	walSize := func() int64 {
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	bound := db.ckpt.limit + db.ckpt.limit/2
	db.ckpt.mu.Lock()
	held := true
	defer func() {
		if held {
			db.ckpt.mu.Unlock()
		}
	}()
	const writes = 1000 // 4 MB: the log would hold them all
	var written atomic.Int64
	done := make(chan error, 1)
	blob := make([]byte, 4000)
	go func() {
		for i := range writes {
			if err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO scratch (k, v) VALUES (?, ?)`, i%100, blob)
				return err
			}); err != nil {
				done <- err
				return
			}
			written.Add(1)
		}
		done <- nil
	}()
	// Waits on a loaded machine; each ends as soon as its condition holds.
	deadline := time.Now().Add(2 * time.Minute)
	for walSize() <= bound {
		if written.Load() == writes || time.Now().After(deadline) {
			t.Fatalf("%d writes, log %d bytes: want the log past %d bytes first", written.Load(), walSize(), bound)
		}
		time.Sleep(time.Millisecond)
	}
	// The commit that crossed the bound may still be counted; then none.
	n := written.Load()
	time.Sleep(200 * time.Millisecond)
	if got := written.Load(); got > n+1 {
		t.Errorf("%d commits while the checkpoint was held past the bound, want at most 1", got-n)
	}
	if size := walSize(); size > bound+64<<10 {
		t.Errorf("log %d bytes while the checkpoint was held, want at most %d and one commit", size, bound)
	}
	held = false
	db.ckpt.mu.Unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("%d of %d writes after the checkpoint ended", written.Load(), writes)
	}
	t.Logf("log %d bytes after %d writes of 4 KB", walSize(), writes)
}

// openScratchDB opens a database in a temporary directory with a scratch
// table (k, v) to write to, its write-ahead log bound lowered to 1 MiB for
// the test; it returns the database and its file's path.
func openScratchDB(t *testing.T) (*DB, string) {
	t.Helper()
	old := restartFrames
	restartFrames = 256 // 1 MiB
	t.Cleanup(func() { restartFrames = old })
	path := filepath.Join(t.TempDir(), "weir.db")
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.update(context.Background(), func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE scratch (k INTEGER PRIMARY KEY, v BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db, path
}
