package sqlite

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
		// The first delivery is counted with the run (see runQueue.add), so
		// that claiming it needs no write of its own.
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (id, flow_id, body, deliveries) VALUES (?, ?, ?, 1)`,
			r.ID, r.FlowID, body)
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
// database was closed or the process died included: a run is stored with
// its first delivery counted, and each later claim records the new counts
// (one statement, committed with the writes of the moment) before it
// returns. A run that was never delivered before the process died thus
// counts one delivery more than it had (a clean Close records the exact
// counts).
func (db *DB) ClaimRuns(ctx context.Context, n int) ([]*weir.Run, error) {
	return db.ClaimRunsSkipping(ctx, n, weir.RunSkip{})
}

// ClaimRunsSkipping is ClaimRuns leaving the runs of skip's flows and
// applications pending, in their place.
func (db *DB) ClaimRunsSkipping(ctx context.Context, n int, skip weir.RunSkip) ([]*weir.Run, error) {
	n = max(n, 1)
	for {
		select {
		case <-db.queue.closed:
			return nil, errClosed
		default:
		}
		runs, taken, wake, next := db.queue.take(n, db.Now(), db.LeaseDuration, skip)
		if runs != nil {
			if len(taken) > 0 {
				db.recordClaims(taken)
			}
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
// deliveries recorded. A run whose body does not decode is queued as
// weir.UndecodableRun, with its ID and flow from the row, for the executor
// to record as failed.
func (db *DB) loadRuns() (*runQueue, error) {
	q := newRunQueue()
	rows, err := db.rdb.Query(`SELECT r.seq, r.body, r.deliveries, r.id, r.flow_id, coalesce(f.application_id, '')
		FROM runs r LEFT JOIN flows f ON f.id = r.flow_id ORDER BY r.seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq               int64
			body              []byte
			deliveries        int
			id, flowID, appID string
		)
		if err := rows.Scan(&seq, &body, &deliveries, &id, &flowID, &appID); err != nil {
			return nil, fmt.Errorf("sqlite: load runs: %w", err)
		}
		r := &weir.Run{}
		if err := json.Unmarshal(body, r); err != nil || r.ID != id {
			if err == nil {
				err = fmt.Errorf("the stored run's id %q is not its row's %q", r.ID, id)
			}
			r = &weir.Run{ID: id, ApplicationID: appID, FlowID: flowID, DecodeError: err.Error()}
		}
		q.load(r, seq, deliveries)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load runs: %w", err)
	}
	return q, nil
}

// recordClaims records the delivery counts of runs just claimed, so that a
// run whose process dies while executing it counts that delivery after the
// restart: a run that kills the process each time it executes is then
// recorded as failed after weir.MaxRunAttempts deliveries instead of
// killing it forever. When the write fails (the disk is full) the runs are
// still handed out, and the counts are recorded by a later claim's write or
// by Close.
func (db *DB) recordClaims(taken []delivered) {
	counts := make([]byte, 0, 16*len(taken))
	counts = append(counts, '[')
	for i, d := range taken {
		if i > 0 {
			counts = append(counts, ',')
		}
		counts = append(counts, '[')
		counts = strconv.AppendInt(counts, d.seq, 10)
		counts = append(counts, ',')
		counts = strconv.AppendInt(counts, int64(d.deliveries), 10)
		counts = append(counts, ']')
	}
	counts = append(counts, ']')
	_ = db.updateLast(context.Background(), func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET deliveries = j.value ->> 1
			FROM json_each(?) AS j WHERE runs.seq = j.value ->> 0`, string(counts)); err != nil {
			return err
		}
		tx.OnCommit(func() { db.queue.markSaved(taken) })
		return nil
	})
}

// saveDeliveries records, in one transaction, how many times each queued
// run was delivered, for the counts recordClaims could not write. Close
// calls it once no more claims can be made, so the counts are exact.
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
