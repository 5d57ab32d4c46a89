package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCheckpointRestartsLogUnderLoad commits about 80 MB from 32 writers
// without a pause: with commits following each other the background
// checkpoint never catches up by itself (the log grew to 114 MiB), so the
// writer must checkpoint between transactions once the log passes its
// bound. The log then holds what is written between two background
// checkpoints, and its file is cut back to journalSizeLimit (32 MiB) when
// it starts over; the bound below leaves room for a slow checkpoint on a
// loaded machine.
func TestCheckpointRestartsLogUnderLoad(t *testing.T) {
	old := restartFrames
	restartFrames = 256 // 1 MiB
	t.Cleanup(func() { restartFrames = old })
	path := filepath.Join(t.TempDir(), "weir.db")
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE scratch (k INTEGER PRIMARY KEY, v BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
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
