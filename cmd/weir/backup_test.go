package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir/store/sqlite"
)

// TestBackupUnderLoad backs up the store of a running weir serve process
// while clients write storage entries and press a button, restores the
// backup into a new data directory, starts weir on it and checks that
// every write and press acknowledged before the backup started is there.
func TestBackupUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a weir process")
	}
	dir, addr := t.TempDir(), freeAddr(t)
	p := startProcess(t, addr, dir)
	c := &client{t: t, base: "http://" + addr, token: p.token}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID

	var (
		mu      sync.Mutex
		written []string // storage keys acknowledged, key i holding i
		presses atomic.Int64
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wc := &client{t: t, base: c.base, token: c.token}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if g == 0 {
					if pressOnce(wc, flowPath, key) {
						presses.Add(1)
					}
					continue
				}
				k := fmt.Sprintf("g%d-%d", g, i)
				if wc.do("PATCH", flowPath+"/storage", map[string]any{"key": k, "value": i}, nil) == 200 {
					mu.Lock()
					written = append(written, k)
					mu.Unlock()
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, "writes under way", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(written) >= 200 && presses.Load() >= 20
	})
	mu.Lock()
	before := append([]string(nil), written...)
	mu.Unlock()
	pressedBefore := presses.Load()

	file := filepath.Join(t.TempDir(), "weir-backup.db")
	var out bytes.Buffer
	if err := run(t.Context(), []string{"backup", "--data", dir, file}, &out, io.Discard); err != nil {
		t.Fatalf("weir backup under load: %v", err)
	}
	close(stop)
	wg.Wait()
	mu.Lock()
	t.Logf("%d storage writes and %d presses acknowledged before the backup, %d and %d by its end",
		len(before), pressedBefore, len(written), presses.Load())
	mu.Unlock()
	if err := sqlite.IntegrityCheck(t.Context(), file); err != nil {
		t.Fatalf("the backup fails integrity_check: %v", err)
	}
	if err := run(t.Context(), []string{"backup", "--data", dir, file}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a backup over an existing file = %v, want an error", err)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	if err := run(t.Context(), []string{"restore", "--data", fresh, file}, io.Discard, io.Discard); err != nil {
		t.Fatalf("weir restore: %v", err)
	}
	if err := run(t.Context(), []string{"restore", "--data", fresh, file}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a restore over a database = %v, want an error", err)
	}
	m, startOut := startMain(t, fresh)
	defer m.Close()
	if startOut.Len() > 0 {
		t.Errorf("the restored instance printed %q: its owner and tokens should have come with it", startOut.String())
	}
	rc := &client{t: t, base: "http://" + m.Addr(), token: p.token} // the old token works: the signing key came along
	var storage map[string]float64
	rc.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
	missing := 0
	for _, k := range before {
		var i int
		fmt.Sscanf(k[strings.IndexByte(k, '-')+1:], "%d", &i)
		if v, ok := storage[k]; !ok || v != float64(i) {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d storage writes acknowledged before the backup are missing from the restored store", missing, len(before))
	}
	// Presses acknowledged before the backup either ran before it or wait
	// in the restored queue: their increments all arrive.
	waitFor(t, 30*time.Second, "every press acknowledged before the backup to count", func() bool {
		rc.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["hits"] >= float64(pressedBefore)
	})
}

func TestBackupErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrNoDatabase", []string{"backup", "--data", empty, filepath.Join(empty, "b.db")}, "no weir database"},
		{"ErrPostgres", []string{"backup", "--store", "postgres://127.0.0.1/x", "b.db"}, "pg_dump"},
		{"ErrNoFile", []string{"backup", "--data", empty}, "missing FILE"},
		{"ErrRestoreNotABackup", []string{"restore", "--data", t.TempDir(), mustWrite(t, "x.db", "not a database")}, "file is not a database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(t.Context(), tc.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("weir %s = %v, want an error containing %q", strings.Join(tc.args, " "), err, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "b.db")); !os.IsNotExist(err) {
		t.Errorf("a failed backup left a file (stat: %v)", err)
	}
}
