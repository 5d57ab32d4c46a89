package postgres

import (
	"cmp"
	"context"
	"sync"
	"time"
)

// DefaultMaxQueued is the default of DB.MaxQueued, as for the SQLite store.
const DefaultMaxQueued = 100_000

// How long a DB trusts the queue depth it last counted: enqueues skip
// counting for depthFresh while it was well below the bound, and are
// refused without counting for refusalFresh once it reached it.
const (
	depthFresh   = time.Second
	refusalFresh = 100 * time.Millisecond
)

// depth is what a DB knows of the number of queued runs: the count at
// counted, plus its own enqueues and minus its own completions since.
type depth struct {
	mu      sync.Mutex
	counted time.Time
	n       int
}

// check says whether the runs queued, as last counted, are well below max
// (an enqueue need not count them) or at max (it is refused at once).
func (d *depth) check(now time.Time, max int) (below, full bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	age := now.Sub(d.counted)
	return age < depthFresh && d.n < max-max/10, age < refusalFresh && d.n >= max
}

// set records a count of n runs made at now.
func (d *depth) set(now time.Time, n int) {
	d.mu.Lock()
	d.counted, d.n = now, n
	d.mu.Unlock()
}

// add adjusts the last count by delta runs enqueued (or, negative,
// completed) by this DB.
func (d *depth) add(delta int) {
	d.mu.Lock()
	d.n = max(d.n+delta, 0)
	d.mu.Unlock()
}

// insertRun stores run with id, flow and body unless MaxQueued runs are
// queued already, and reports whether it did; it returns Validation when
// the id was enqueued within RunIDWindow. It counts the queued runs (up
// to MaxQueued, so a deep queue costs a scan of that many rows) unless a
// recent count shows the queue well below or at the bound.
func (db *DB) insertRun(ctx context.Context, id, flowID, body string) (bool, error) {
	max := cmp.Or(db.MaxQueued, DefaultMaxQueued)
	now := time.Now()
	below, full := db.depth.check(now, max)
	switch {
	case full:
		return false, nil
	case below:
		tag, err := db.pool.Exec(ctx, enqueueSQL, id, flowID, body, RunIDWindow.Seconds())
		if err != nil {
			return false, err
		}
		if tag.RowsAffected() == 0 {
			return false, errRunQueued(id)
		}
		db.depth.add(1)
		return true, nil
	}
	var (
		n        int
		inserted bool
	)
	err := db.pool.QueryRow(ctx, `
		WITH depth AS (SELECT count(*)::bigint AS n FROM (SELECT 1 FROM runs LIMIT $4) q),
		fresh AS (`+freshRunID(`SELECT $1 FROM depth WHERE n < $4`, `$5`)+`),
		inserted AS (
			INSERT INTO runs (id, flow_id, body) SELECT id, $2, $3 FROM fresh RETURNING 1)
		SELECT n, EXISTS (SELECT 1 FROM inserted) FROM depth`, id, flowID, body, max, RunIDWindow.Seconds()).Scan(&n, &inserted)
	if err != nil {
		return false, err
	}
	if !inserted && n < max {
		return false, errRunQueued(id)
	}
	if inserted {
		n++
	}
	db.depth.set(now, n)
	return inserted, nil
}
