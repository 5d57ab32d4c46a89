package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// housekeepingInterval is how often RecordRun and CompleteRun also delete
// the recorded runs older than weir.RecordedRunRetention and the effect
// records older than weir.EffectRetention.
const housekeepingInterval = time.Minute

// RecordRun stores entry for run, counts it in the flow's stats and deletes
// the run's effect records, in one transaction, unless run was recorded
// already; then it changes nothing. With a nil entry, or when the run's
// flow no longer exists, it only marks run recorded and forgets its effects.
func (db *DB) RecordRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	var (
		e    *weir.LogEntry
		errs string
		err  error
	)
	if entry != nil {
		if e, errs, err = logEntryOf(run, entry); err != nil {
			return fmt.Errorf("sqlite: record run %s: %w", run.ID, err)
		}
	}
	err = db.update(ctx, func(ctx context.Context, tx *Tx) error {
		if err := db.housekeep(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO recorded_runs (id, time) VALUES (?, ?)
			ON CONFLICT (id) DO NOTHING`, run.ID, millis(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // recorded already
		}
		if e == nil {
			return forgetEffects(ctx, tx, run.ID)
		}
		return recordRun(ctx, tx, run.ID, e, errs)
	})
	if err != nil {
		return fmt.Errorf("sqlite: record run %s: %w", run.ID, err)
	}
	if e != nil {
		entry.ID = e.ID
	}
	return nil
}

// RunRecorded reports whether RecordRun recorded runID within
// weir.RecordedRunRetention (or a little longer).
func (db *DB) RunRecorded(ctx context.Context, runID string) (bool, error) {
	var ok bool
	err := db.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM recorded_runs WHERE id = ?)`, runID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("sqlite: run %s recorded: %w", runID, err)
	}
	return ok, nil
}

// housekeep deletes, at most once per housekeepingInterval, the recorded
// runs and effect records past their retention.
func (db *DB) housekeep(ctx context.Context, tx *Tx) error {
	if tx.now.Before(db.nextHousekeeping) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recorded_runs WHERE time < ?`,
		millis(tx.now.Add(-weir.RecordedRunRetention))); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM effects WHERE time < ?`,
		millis(tx.now.Add(-weir.EffectRetention))); err != nil {
		return err
	}
	next := tx.now.Add(housekeepingInterval)
	tx.OnCommit(func() { db.nextHousekeeping = next })
	return nil
}

var _ weir.RunRecorder = (*DB)(nil)
