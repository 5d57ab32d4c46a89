package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// housekeepingInterval is how often a DB, on RecordRun and CompleteRun,
// also deletes the recorded runs older than weir.RecordedRunRetention and
// the effect records older than weir.EffectRetention.
const housekeepingInterval = time.Minute

// recordRunSQL marks the run ($1) recorded and, unless it was recorded
// already, deletes its effect records and, if the flow still exists,
// inserts the log entry and counts it in the flow's stats. A concurrent
// RecordRun of the same run waits for this one on the recorded_runs row
// and then finds it recorded.
const recordRunSQL = `
	WITH recorded AS (
		INSERT INTO recorded_runs (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id),
	forgot AS (DELETE FROM effects WHERE run_id = $1 AND EXISTS (SELECT 1 FROM recorded)),
	logged AS (
		INSERT INTO logs (id, application_id, flow_id, flow_version, flow_version_id, time, run_count,
			paths_completed, paths_failed, wall_time, errors, trace, replay_of, payload_note, payload)
		SELECT $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz, $8::bigint,
			$9::bigint, $10::bigint, $11::double precision, $12::text, $15::text, $16::text, $17::text, $18::text
		WHERE EXISTS (SELECT 1 FROM recorded) AND EXISTS (SELECT 1 FROM flows WHERE id = $4::text)
		RETURNING flow_id)
	INSERT INTO flow_stats AS s (flow_id, version, shard, run_count, error_count)
	SELECT flow_id, $5::text, $14::smallint, 1, $13::bigint FROM logged
	ON CONFLICT (flow_id, version, shard) DO UPDATE
	SET run_count = s.run_count + 1, error_count = s.error_count + excluded.error_count`

// RecordRun stores entry for run, counts it in the flow's stats and deletes
// the run's effect records, in one statement, unless run was recorded
// already; then it changes nothing. With a nil entry, or when the run's
// flow no longer exists, it only marks run recorded and forgets its effects.
func (db *DB) RecordRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	db.housekeep(ctx)
	if entry == nil {
		_, err := db.pool.Exec(ctx, `
			WITH recorded AS (
				INSERT INTO recorded_runs (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id)
			DELETE FROM effects WHERE run_id = $1 AND EXISTS (SELECT 1 FROM recorded)`, run.ID)
		if err != nil {
			return fmt.Errorf("postgres: record run %s: %w", run.ID, err)
		}
		return nil
	}
	e, errs, err := logEntryOf(run, entry)
	if err != nil {
		return fmt.Errorf("postgres: record run %s: %w", run.ID, err)
	}
	err = db.logRun(ctx, recordRunSQL, run.ID, e, errs)
	if isForeignKey(err) {
		// The flow was deleted between the statement's check and its
		// insert; the whole statement rolled back, and now the check sees
		// the flow gone.
		err = db.logRun(ctx, recordRunSQL, run.ID, e, errs)
	}
	if err != nil {
		return fmt.Errorf("postgres: record run %s: %w", run.ID, err)
	}
	entry.ID = e.ID
	return nil
}

// RunRecorded reports whether RecordRun recorded runID within
// weir.RecordedRunRetention (or a little longer).
func (db *DB) RunRecorded(ctx context.Context, runID string) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recorded_runs WHERE id = $1)`, runID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("postgres: run %s recorded: %w", runID, err)
	}
	return ok, nil
}

// housekeep deletes, at most once per housekeepingInterval of this DB, the
// recorded runs and effect records past their retention. Failures are
// logged and retried at the next interval: they leave only extra rows.
func (db *DB) housekeep(ctx context.Context) {
	now := time.Now()
	db.houseMu.Lock()
	if now.Before(db.nextHousekeeping) {
		db.houseMu.Unlock()
		return
	}
	db.nextHousekeeping = now.Add(housekeepingInterval)
	db.houseMu.Unlock()
	_, err := db.pool.Exec(ctx, `
		WITH old AS (DELETE FROM recorded_runs WHERE time < now() - $1::double precision * interval '1 second')
		DELETE FROM effects WHERE time < now() - $2::double precision * interval '1 second'`,
		weir.RecordedRunRetention.Seconds(), weir.EffectRetention.Seconds())
	if err != nil {
		db.logger().Warn("delete old recorded runs and effects", "err", err)
	}
}

var _ weir.RunRecorder = (*DB)(nil)
