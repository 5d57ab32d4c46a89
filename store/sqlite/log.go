package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/weirhq/weir"
)

// FindLogEntries returns up to filter.Limit (all when not positive) of the
// flow's entries, newest first; entries of the same millisecond come newest
// written first.
func (db *DB) FindLogEntries(ctx context.Context, flowID string, filter weir.LogFilter) ([]*weir.LogEntry, error) {
	payload := `''`
	if filter.WithPayload {
		payload = `payload`
	}
	q := `SELECT id, application_id, flow_id, flow_version, flow_version_id, time, run_count,
		paths_completed, paths_failed, wall_time, errors, trace, replay_of, payload_note, ` + payload + `
		FROM logs WHERE flow_id = ?`
	args := []any{flowID}
	if filter.RunID != "" {
		q += ` AND id = ?`
		args = append(args, filter.RunID)
	}
	if filter.FlowVersionID != "" {
		q += ` AND flow_version_id = ?`
		args = append(args, filter.FlowVersionID)
	}
	if !filter.Since.IsZero() {
		q += ` AND time >= ?`
		args = append(args, millis(filter.Since))
	}
	q += ` ORDER BY time DESC, seq DESC`
	if filter.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, filter.Limit)
	}

	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find log entries of flow %s: %w", flowID, err)
	}
	defer rows.Close()
	entries := []*weir.LogEntry{}
	for rows.Next() {
		var (
			e           weir.LogEntry
			t           int64
			errs, trace string
			note, full  string
		)
		if err := rows.Scan(&e.ID, &e.ApplicationID, &e.FlowID, &e.FlowVersion, &e.FlowVersionID, &t,
			&e.RunCount, &e.PathsCompleted, &e.PathsFailed, &e.WallTime, &errs, &trace, &e.ReplayOf,
			&note, &full); err != nil {
			return nil, fmt.Errorf("sqlite: find log entries of flow %s: %w", flowID, err)
		}
		if err := json.Unmarshal([]byte(errs), &e.Errors); err != nil {
			return nil, fmt.Errorf("sqlite: find log entries of flow %s: decode errors: %w", flowID, err)
		}
		if e.Trace, err = weir.DecodeRunTrace(trace); err != nil {
			return nil, fmt.Errorf("sqlite: find log entries of flow %s: decode trace: %w", flowID, err)
		}
		if e.Payload, err = weir.DecodeRunPayload(note, full); err != nil {
			return nil, fmt.Errorf("sqlite: find log entries of flow %s: %w", flowID, err)
		}
		e.Time = fromMillis(t)
		entries = append(entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find log entries of flow %s: %w", flowID, err)
	}
	return entries, nil
}

// insertLogEntry stores e, whose Errors are already encoded as errs, its
// trace in its compact text form and, when it has them, its kept payload
// and the run it replays (a run with neither, nearly every run, binds
// three parameters less).
func insertLogEntry(ctx context.Context, tx *Tx, e *weir.LogEntry, errs string) error {
	if e.Payload == nil && e.ReplayOf == "" {
		_, err := tx.ExecContext(ctx, `INSERT INTO logs (id, application_id, flow_id, flow_version, flow_version_id,
		time, run_count, paths_completed, paths_failed, wall_time, errors, trace)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.ApplicationID, e.FlowID, e.FlowVersion, e.FlowVersionID, millis(e.Time), e.RunCount,
			e.PathsCompleted, e.PathsFailed, e.WallTime, errs, weir.EncodeRunTrace(e.Trace))
		return err
	}
	note, full, err := weir.EncodeRunPayload(e.Payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO logs (id, application_id, flow_id, flow_version, flow_version_id,
		time, run_count, paths_completed, paths_failed, wall_time, errors, trace, replay_of, payload_note, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ApplicationID, e.FlowID, e.FlowVersion, e.FlowVersionID, millis(e.Time), e.RunCount,
		e.PathsCompleted, e.PathsFailed, e.WallTime, errs, weir.EncodeRunTrace(e.Trace), e.ReplayOf, note, full)
	return err
}

// countRun adds one run of version, failed or not, to the flow's stats.
func countRun(ctx context.Context, tx *Tx, flowID, version string, failed bool) error {
	var errorCount int
	if failed {
		errorCount = 1
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO flow_stats (flow_id, version, run_count, error_count) VALUES (?, ?, 1, ?)
		ON CONFLICT (flow_id, version) DO UPDATE
		SET run_count = run_count + 1, error_count = error_count + excluded.error_count`,
		flowID, version, errorCount)
	return err
}
