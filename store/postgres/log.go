package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// FindLogEntries returns up to filter.Limit (all when not positive) of the
// flow's entries, newest first; entries of the same millisecond come newest
// written first.
func (db *DB) FindLogEntries(ctx context.Context, flowID string, filter weir.LogFilter) ([]*weir.LogEntry, error) {
	var p placeholders
	payload := `''`
	if filter.WithPayload {
		payload = `payload`
	}
	q := `SELECT id, application_id, flow_id, flow_version, flow_version_id, time, run_count,
		paths_completed, paths_failed, wall_time, errors, trace, replay_of, payload_note, ` + payload + `
		FROM logs WHERE flow_id = ` + p.add(flowID)
	if filter.RunID != "" {
		q += ` AND id = ` + p.add(filter.RunID)
	}
	if filter.FlowVersionID != "" {
		q += ` AND flow_version_id = ` + p.add(filter.FlowVersionID)
	}
	if !filter.Since.IsZero() {
		q += ` AND time >= ` + p.add(ms(filter.Since))
	}
	q += ` ORDER BY time DESC, seq DESC`
	if filter.Limit > 0 {
		q += ` LIMIT ` + p.add(filter.Limit)
	}
	rows, err := db.pool.Query(ctx, q, p...)
	if err != nil {
		return nil, fmt.Errorf("postgres: find log entries of flow %s: %w", flowID, err)
	}
	entries, err := pgx.CollectRows(rows, scanLogEntry)
	if err != nil {
		return nil, fmt.Errorf("postgres: find log entries of flow %s: %w", flowID, err)
	}
	if entries == nil {
		entries = []*weir.LogEntry{}
	}
	return entries, nil
}

func scanLogEntry(row pgx.CollectableRow) (*weir.LogEntry, error) {
	var (
		e           weir.LogEntry
		errs, trace string
		note, full  string
	)
	if err := row.Scan(&e.ID, &e.ApplicationID, &e.FlowID, &e.FlowVersion, &e.FlowVersionID, &e.Time,
		&e.RunCount, &e.PathsCompleted, &e.PathsFailed, &e.WallTime, &errs, &trace, &e.ReplayOf,
		&note, &full); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(errs), &e.Errors); err != nil {
		return nil, fmt.Errorf("decode errors: %w", err)
	}
	var err error
	if e.Trace, err = weir.DecodeRunTrace(trace); err != nil {
		return nil, fmt.Errorf("decode trace: %w", err)
	}
	if e.Payload, err = weir.DecodeRunPayload(note, full); err != nil {
		return nil, err
	}
	e.Time = e.Time.UTC()
	return &e, nil
}
