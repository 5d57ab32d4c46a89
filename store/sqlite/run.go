package sqlite

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// EnqueueRun stores run, giving it an ID when it has none, and returns once
// the run is committed; it is then pending. It returns NotFound if the flow
// does not exist, Validation if a queued run has the same ID, and Unavailable
// when MaxQueued runs are waiting already.
func (db *DB) EnqueueRun(ctx context.Context, run *weir.Run) error {
	if max := cmp.Or(db.MaxQueued, DefaultMaxQueued); db.queue.len() >= max {
		return weir.Errorf(weir.Unavailable, "%d runs are waiting; try again later", max)
	}
	if run.ID == "" {
		run.ID = weir.NewID()
	}
	body := string(run.AppendJSON(nil))
	r := *run // the queue's own copy
	err := db.updateLast(ctx, func(ctx context.Context, tx *Tx) error {
		if _, queued := db.queue.seq(r.ID); queued {
			return weir.Errorf(weir.Validation, "Run id %s is already queued", r.ID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (id, flow_id, body) VALUES (?, ?, ?)`, r.ID, r.FlowID, body)
		if isForeignKey(err) {
			return errFlowNotFound()
		} else if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		tx.OnCommit(func() { db.queue.add(&r, seq) })
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: enqueue run: %w", err)
	}
	return nil
}

// ClaimRuns blocks until a run is pending, then leases up to n (at least
// one) runs for LeaseDuration. It returns ctx's error if ctx ends first.
// Attempt counts the earlier deliveries of a run, those made before the
// database was last closed included (Close records them). After a crash,
// the deliveries made since the last Open are not counted: see
// saveDeliveries.
func (db *DB) ClaimRuns(ctx context.Context, n int) ([]*weir.Run, error) {
	n = max(n, 1)
	for {
		select {
		case <-db.queue.closed:
			return nil, errClosed
		default:
		}
		runs, wake, next := db.queue.take(n, db.Now(), db.LeaseDuration)
		if runs != nil {
			return runs, nil
		}
		err := db.waitRuns(ctx, wake, next)
		db.queue.done()
		if err != nil {
			return nil, err
		}
	}
}

// waitRuns blocks until wake is closed, the lease expiring at next (if not
// zero) ends, ctx ends or the queue is closed.
func (db *DB) waitRuns(ctx context.Context, wake <-chan struct{}, next time.Time) error {
	var expired <-chan time.Time
	if !next.IsZero() {
		t := time.NewTimer(max(next.Sub(db.Now()), time.Millisecond))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-wake:
		return nil
	case <-expired:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-db.queue.closed:
		return errClosed
	}
}

// CompleteRun stores entry, counts it in the stats of entry.FlowVersion (the
// run's version when empty), removes run and deletes its effect records, in
// one transaction. Entry
// fields left empty (ApplicationID, FlowID, FlowVersion) are taken from run.
// A run whose flow no longer exists is just removed.
func (db *DB) CompleteRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	if entry == nil {
		err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
			if err := db.housekeep(ctx, tx); err != nil {
				return err
			}
			if err := removeRun(ctx, tx, run.ID); err != nil {
				return err
			}
			return forgetEffects(ctx, tx, run.ID)
		})
		if err != nil {
			return fmt.Errorf("sqlite: drop run %s: %w", run.ID, err)
		}
		return nil
	}
	e, errs, err := logEntryOf(run, entry)
	if err != nil {
		return fmt.Errorf("sqlite: complete run %s: %w", run.ID, err)
	}
	err = db.update(ctx, func(ctx context.Context, tx *Tx) error {
		if err := db.housekeep(ctx, tx); err != nil {
			return err
		}
		if err := removeRun(ctx, tx, run.ID); err != nil {
			return err
		}
		return recordRun(ctx, tx, run.ID, e, errs)
	})
	if err != nil {
		return fmt.Errorf("sqlite: complete run %s: %w", run.ID, err)
	}
	entry.ID = e.ID
	return nil
}

// logEntryOf returns entry.Of(run) and its Errors encoded.
func logEntryOf(run *weir.Run, entry *weir.LogEntry) (*weir.LogEntry, string, error) {
	e := entry.Of(run)
	errs, err := marshal(e.Errors)
	if err != nil {
		return nil, "", fmt.Errorf("encode errors: %w", err)
	}
	return e, errs, nil
}

// recordRun forgets the effects of run runID and, when the flow of e
// still exists, stores e and counts it in the flow's stats.
func recordRun(ctx context.Context, tx *Tx, runID string, e *weir.LogEntry, errs string) error {
	if err := forgetEffects(ctx, tx, runID); err != nil {
		return err
	}
	// The log entry's foreign key finds the flow: a failed statement
	// changes nothing, so a run of a deleted flow leaves no trace.
	if err := insertLogEntry(ctx, tx, e, errs); isForeignKey(err) {
		return nil
	} else if err != nil {
		return err
	}
	return countRun(ctx, tx, e.FlowID, e.FlowVersion, e.PathsFailed > 0)
}

// removeRun deletes a run from the table and, once committed, the queue.
func removeRun(ctx context.Context, tx *Tx, runID string) error {
	seq, ok := tx.db.queue.seq(runID)
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE seq = ?`, seq); err != nil {
		return err
	}
	tx.OnCommit(func() { tx.db.queue.remove(runID) })
	return nil
}

// loadRuns reads every stored run into a new queue, all pending, with the
// deliveries recorded.
func (db *DB) loadRuns() (*runQueue, error) {
	q := newRunQueue()
	rows, err := db.rdb.Query(`SELECT seq, body, deliveries FROM runs ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq        int64
			body       []byte
			deliveries int
		)
		if err := rows.Scan(&seq, &body, &deliveries); err != nil {
			return nil, fmt.Errorf("sqlite: load runs: %w", err)
		}
		r := &weir.Run{}
		if err := json.Unmarshal(body, r); err != nil {
			return nil, fmt.Errorf("sqlite: load runs: decode: %w", err)
		}
		q.load(r, seq, deliveries)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load runs: %w", err)
	}
	return q, nil
}

// saveDeliveries records, in one transaction, how many times each queued
// run was delivered, for Attempt to count them after a reopen. Close calls
// it once no more claims can be made, so the counts are exact. Claims do not
// write (a write per claim would cost every run a trip through the single
// writer), so a crash loses the counts of the deliveries since Open: a run
// still queued then may have been delivered or not, and nothing on disk
// tells which.
func (db *DB) saveDeliveries(ctx context.Context) error {
	runs := db.queue.unsaved()
	if len(runs) == 0 {
		return nil
	}
	return db.update(ctx, func(ctx context.Context, tx *Tx) error {
		for _, r := range runs {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET deliveries = ? WHERE seq = ? AND id = ?`, r.deliveries, r.seq, r.id); err != nil {
				return fmt.Errorf("sqlite: record deliveries: %w", err)
			}
		}
		tx.OnCommit(func() { db.queue.markSaved(runs) })
		return nil
	})
}
