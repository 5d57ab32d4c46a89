package sqlite

import (
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DefaultReserveBytes is the size of the file a DB keeps beside its
// database as room for deletes on a full disk.
const DefaultReserveBytes = 16 << 20

// reserveRetry is the least time between two attempts to restore a released
// reserve.
const reserveRetry = time.Second

// reserve is a file kept beside the database, taking space a delete may
// need when the disk is full: a delete writes too (its pages go to the
// write-ahead log, and copying the log into the database file may extend
// it), so without room it would fail like the writes that filled the disk,
// and nothing could be freed through weir. A delete that finds the disk full
// removes the reserve and runs again; the reserve is restored once the disk
// has room for it and as much again, so that the space a user frees is not
// taken back at once.
type reserve struct {
	path string
	size int64

	mu       sync.Mutex
	held     bool
	lastTry  time.Time
	released int // times released, for tests
}

// newReserve returns the reserve of the database at dbPath, holding size
// bytes; nil when size is not positive.
func newReserve(dbPath string, size int64) *reserve {
	if size <= 0 {
		return nil
	}
	return &reserve{path: dbPath + "-reserve", size: size}
}

// release removes the reserve file and reports whether it freed space.
func (r *reserve) release() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err := os.Remove(r.path)
	freed := r.held || err == nil
	r.held = false
	r.lastTry = time.Now()
	if freed {
		r.released++
	}
	return freed
}

// restore writes the reserve file unless it is held, the last attempt was
// under reserveRetry ago, or the file system has less free space than twice
// the reserve. It reports whether the reserve is held.
func (r *reserve) restore() bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held {
		return true
	}
	if time.Since(r.lastTry) < reserveRetry {
		return false
	}
	r.lastTry = time.Now()
	if free, ok := freeBytes(filepath.Dir(r.path)); ok && free < 2*r.size {
		return false
	}
	r.held = fill(r.path, r.size) == nil
	return r.held
}

// fill makes the file at path size bytes long, with its blocks allocated
// (not a sparse file); on failure it removes the file.
func fill(path string, size int64) (err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	return allocate(f, size)
}

// writeFill allocates size bytes of f by writing them: not zeros, which some
// file systems keep as holes.
func writeFill(f *os.File, size int64) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i) | 1
	}
	for n := size; n > 0; {
		m := min(n, int64(len(chunk)))
		if _, err := f.Write(chunk[:m]); err != nil {
			return err
		}
		n -= m
	}
	return f.Sync()
}
