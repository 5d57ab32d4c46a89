package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// EnqueueRun stores run, giving it an ID when it has none, and returns once
// the run is committed; it is then pending, and the DBs listening on the
// schema are notified soon after. It returns NotFound if the flow does not
// exist, Validation if a run with the same ID is queued or was enqueued
// within RunIDWindow (by any DB on the schema, even if it completed since),
// and Unavailable when MaxQueued runs are waiting or running already (a
// bound the DBs sharing the schema may overshoot by a little when they
// enqueue at once).
func (db *DB) EnqueueRun(ctx context.Context, run *weir.Run) error {
	if run.ID == "" {
		run.ID = weir.NewID()
	}
	body := string(run.AppendJSON(nil))
	if err := db.maybePruneRunIDs(ctx); err != nil {
		return err
	}
	inserted, err := db.insertRun(ctx, run.ID, run.FlowID, body)
	switch {
	case err == nil && !inserted:
		max := cmp.Or(db.MaxQueued, DefaultMaxQueued)
		return weir.Errorf(weir.Unavailable, "%d runs are waiting; try again later", max)
	case weir.ErrorTypeOf(err) == weir.Validation:
		return err
	case isForeignKey(err):
		err = errFlowNotFound()
	case isUnique(err):
		err = errRunQueued(run.ID)
	case err == nil:
		db.wake.broadcast()
		db.notifyOthers()
		return nil
	}
	return fmt.Errorf("postgres: enqueue run: %w", err)
}

// ClaimRuns blocks until a run is pending, then leases up to n (at least
// one) runs, oldest first, for LeaseDuration. It returns ctx's error if ctx
// ends first. Attempt counts the earlier deliveries of a run, by any DB on
// the schema.
func (db *DB) ClaimRuns(ctx context.Context, n int) ([]*weir.Run, error) {
	return db.ClaimRunsSkipping(ctx, n, weir.RunSkip{})
}

// ClaimRunsSkipping is ClaimRuns leaving the runs of skip's flows and
// applications pending.
func (db *DB) ClaimRunsSkipping(ctx context.Context, n int, skip weir.RunSkip) ([]*weir.Run, error) {
	n = max(n, 1)
	for {
		select {
		case <-db.closed:
			return nil, errClosed
		default:
		}
		wake := db.wake.wait() // before looking, so no enqueue goes unnoticed
		runs, next, err := db.claimRuns(ctx, n, skip)
		if len(runs) > 0 {
			return runs, nil // leased now: handed out even if ctx ended meanwhile
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		} else if err != nil {
			return nil, fmt.Errorf("postgres: claim runs: %w", err)
		}
		if err := db.waitRuns(ctx, wake, next); err != nil {
			return nil, err
		}
	}
}

// CompleteRun stores entry, counts it in the stats of entry.FlowVersion (the
// run's version when empty), removes run and deletes its effect records, in
// one statement. Entry fields
// left empty (ApplicationID, FlowID, FlowVersion) are taken from run. With a
// nil entry, or when the run's flow no longer exists, run is just removed.
func (db *DB) CompleteRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	db.housekeep(ctx)
	if entry == nil {
		if _, err := db.pool.Exec(ctx, `WITH removed AS (DELETE FROM runs WHERE id = $1)
			DELETE FROM effects WHERE run_id = $1`, run.ID); err != nil {
			return fmt.Errorf("postgres: drop run %s: %w", run.ID, err)
		}
		db.depth.add(-1)
		return nil
	}
	e, errs, err := logEntryOf(run, entry)
	if err != nil {
		return fmt.Errorf("postgres: complete run %s: %w", run.ID, err)
	}
	err = db.logRun(ctx, completeRunSQL, run.ID, e, errs)
	if isForeignKey(err) {
		// The flow was deleted between the statement's check and its
		// insert; now the check sees it gone.
		err = db.logRun(ctx, completeRunSQL, run.ID, e, errs)
	}
	if err != nil {
		return fmt.Errorf("postgres: complete run %s: %w", run.ID, err)
	}
	db.depth.add(-1)
	entry.ID = e.ID
	return nil
}

// claimRuns leases up to n pending runs. When there are none it returns how
// long until the first lease expires, or 0 if no run is leased.
func (db *DB) claimRuns(ctx context.Context, n int, skip weir.RunSkip) ([]*weir.Run, time.Duration, error) {
	lease := db.LeaseDuration
	if lease <= 0 {
		lease = DefaultLeaseDuration
	}
	args := []any{n, float64(lease) / float64(time.Millisecond), db.owner}
	where := ""
	if len(skip.Flows) > 0 {
		args = append(args, skip.Flows)
		where += fmt.Sprintf(" AND NOT (flow_id = ANY($%d::text[]))", len(args))
	}
	if len(skip.Applications) > 0 {
		args = append(args, skip.Applications)
		where += fmt.Sprintf(` AND NOT EXISTS (SELECT 1 FROM flows f
			WHERE f.id = runs.flow_id AND f.application_id = ANY($%d::text[]))`, len(args))
	}
	rows, err := db.pool.Query(ctx, `
		UPDATE runs
		SET leased_until = now() + $2::double precision * interval '1 millisecond',
			leased_by = $3, deliveries = deliveries + 1
		WHERE seq IN (
			SELECT seq FROM runs
			WHERE (leased_until IS NULL OR leased_until <= now())`+where+`
			ORDER BY seq
			LIMIT $1
			FOR UPDATE SKIP LOCKED)
		RETURNING seq, body, deliveries, id, flow_id`, args...)
	if err != nil {
		return nil, 0, err
	}
	type claimed struct {
		seq        int64
		run        *weir.Run
		deliveries int
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (claimed, error) {
		var (
			c                claimed
			body, id, flowID string
		)
		if err := row.Scan(&c.seq, &body, &c.deliveries, &id, &flowID); err != nil {
			return c, err
		}
		c.run = &weir.Run{}
		if err := json.Unmarshal([]byte(body), c.run); err != nil || c.run.ID != id {
			// Handed out as it is, for the executor to record as failed,
			// instead of failing every claim that meets it.
			if err == nil {
				err = fmt.Errorf("the stored run's id %q is not its row's %q", c.run.ID, id)
			}
			c.run = &weir.Run{ID: id, FlowID: flowID, DecodeError: err.Error()}
		}
		return c, nil
	})
	if err != nil {
		return nil, 0, err
	}
	for _, c := range cs {
		if c.run.DecodeError != "" {
			// Rare: the log entry needs the flow's application.
			_ = db.pool.QueryRow(ctx, `SELECT application_id FROM flows WHERE id = $1`, c.run.FlowID).
				Scan(&c.run.ApplicationID)
		}
	}
	if len(cs) == 0 {
		next, err := db.nextExpiry(ctx)
		return nil, next, err
	}
	slices.SortFunc(cs, func(a, b claimed) int { return int(a.seq - b.seq) })
	runs := make([]*weir.Run, len(cs))
	for i, c := range cs {
		c.run.Attempt += c.deliveries - 1
		runs[i] = c.run
	}
	return runs, 0, nil
}

// nextExpiry returns how long until the first lease expires, or 0 if no run
// is leased.
func (db *DB) nextExpiry(ctx context.Context) (time.Duration, error) {
	var secs *float64
	err := db.pool.QueryRow(ctx, `
		SELECT EXTRACT(EPOCH FROM min(leased_until) - now())::double precision
		FROM runs WHERE leased_until > now()`).Scan(&secs)
	if err != nil || secs == nil {
		return 0, err
	}
	return max(time.Duration(*secs*float64(time.Second)), time.Millisecond), nil
}

// waitRuns blocks until wake is closed, PollInterval or the lease expiring
// after next (if not 0) passes, ctx ends or the DB is closed.
func (db *DB) waitRuns(ctx context.Context, wake <-chan struct{}, next time.Duration) error {
	d := db.PollInterval
	if d <= 0 {
		d = DefaultPollInterval
	}
	if next > 0 && next < d {
		d = next
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
		return nil
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closed:
		return errClosed
	}
}

// statsShards is how many rows of flow_stats share the counts of one flow
// version; each completed run adds to a random one.
const statsShards = 8

// completeRunSQL deletes the run ($1) and its effect records and, if the
// flow still exists, inserts the log entry and counts it in the flow's
// stats.
const completeRunSQL = `
	WITH removed AS (DELETE FROM runs WHERE id = $1),
	forgot AS (DELETE FROM effects WHERE run_id = $1),
	logged AS (
		INSERT INTO logs (id, application_id, flow_id, flow_version, flow_version_id, time, run_count,
			paths_completed, paths_failed, wall_time, errors, trace, replay_of, payload_note, payload)
		SELECT $2::text, $3::text, $4::text, $5::text, $6::text, $7::timestamptz, $8::bigint,
			$9::bigint, $10::bigint, $11::double precision, $12::text, $15::text, $16::text, $17::text, $18::text
		WHERE EXISTS (SELECT 1 FROM flows WHERE id = $4::text)
		RETURNING flow_id)
	INSERT INTO flow_stats AS s (flow_id, version, shard, run_count, error_count)
	SELECT flow_id, $5::text, $14::smallint, 1, $13::bigint FROM logged
	ON CONFLICT (flow_id, version, shard) DO UPDATE
	SET run_count = s.run_count + 1, error_count = s.error_count + excluded.error_count`

// logRun runs q, completeRunSQL or recordRunSQL, for run runID and entry e
// (its trace in its compact text form, its kept payload).
func (db *DB) logRun(ctx context.Context, q, runID string, e *weir.LogEntry, errs string) error {
	var errorCount int
	if e.PathsFailed > 0 {
		errorCount = 1
	}
	note, full, err := weir.EncodeRunPayload(e.Payload)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, q,
		runID, e.ID, e.ApplicationID, e.FlowID, e.FlowVersion, e.FlowVersionID, ms(e.Time), e.RunCount,
		e.PathsCompleted, e.PathsFailed, e.WallTime, errs, errorCount, rand.IntN(statsShards),
		weir.EncodeRunTrace(e.Trace), e.ReplayOf, note, full)
	return err
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

// releaseLeases offers again, to every DB on the schema, the runs leased by
// this DB's owner name and not completed.
func (db *DB) releaseLeases(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `
		WITH released AS (
			UPDATE runs SET leased_until = NULL, leased_by = NULL WHERE leased_by = $1 RETURNING 1)
		SELECT pg_notify('`+notifyChannel+`', $2) WHERE EXISTS (SELECT 1 FROM released)`,
		db.owner, db.Schema)
	if err != nil {
		return fmt.Errorf("postgres: release leases of %s: %w", db.owner, err)
	}
	return nil
}
