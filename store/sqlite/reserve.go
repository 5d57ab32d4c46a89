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

// minReserveStep is the least a reserve grows by, so that a disk with
// little room is not written to for a few bytes at a time.
const minReserveStep = 64 << 10

// reserve is a file kept beside the database, taking space a delete may
// need when the disk is full: a delete writes too (its pages go to the
// write-ahead log, and copying the log into the database file may extend
// it), so without room it would fail like the writes that filled the disk,
// and nothing could be freed through weir. A delete that finds the disk full
// removes the reserve and runs again. The reserve takes at most a quarter
// of the space it and the free space add up to, so on a small or nearly
// full disk it is smaller, and it grows back (at most once per
// reserveRetry) as room comes back: the space a user frees goes mostly to
// the data.
type reserve struct {
	path string
	size int64

	mu      sync.Mutex
	have    int64 // bytes the file holds
	lastTry time.Time
}

// newReserve returns the reserve of the database at dbPath, of at most size
// bytes, holding what an earlier run left; nil when size is not positive.
func newReserve(dbPath string, size int64) *reserve {
	if size <= 0 {
		return nil
	}
	r := &reserve{path: dbPath + "-reserve", size: size}
	if st, err := os.Stat(r.path); err == nil {
		r.have = st.Size()
	}
	return r
}

// release removes the reserve file and reports whether it freed space.
func (r *reserve) release() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err := os.Remove(r.path)
	freed := r.have > 0 && err == nil
	r.have = 0
	r.lastTry = time.Now()
	return freed
}

// restore grows the reserve file toward its size, as far as a quarter of
// the space it and the free space add up to, unless the last attempt was
// under reserveRetry ago. It reports whether the reserve is whole.
func (r *reserve) restore() bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have >= r.size {
		return true
	}
	if time.Since(r.lastTry) < reserveRetry {
		return false
	}
	r.lastTry = time.Now()
	want := r.size
	if free, ok := freeBytes(filepath.Dir(r.path)); ok {
		want = min(want, (r.have+free)/4)
	}
	if want < r.have+minReserveStep && want < r.size {
		return false
	}
	if err := fill(r.path, want); err != nil {
		r.have = 0 // fill removed the file
		return false
	}
	r.have = want
	return r.have >= r.size
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
