package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weirhq/weir"
)

const flowColumns = `id, application_id, name, description, short_description, icon_data, docs_url, category,
	enabled, flow_class, default_version_id, custom_node_supports, creation_date, last_updated,
	created_by_id, created_by_type, last_updated_by_id, last_updated_by_type, definition, keep_payloads`

// FindFlowByID returns NotFound unless the flow exists in that application.
func (db *DB) FindFlowByID(ctx context.Context, applicationID, flowID string) (*weir.Flow, error) {
	var f *weir.Flow
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		f, err = findFlowByID(ctx, tx, applicationID, flowID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find flow %s: %w", flowID, err)
	}
	return f, nil
}

// FindFlows returns one page of flows and the number matching the filter. An
// empty ApplicationID matches the flows of every application.
func (db *DB) FindFlows(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	var (
		fs []*weir.Flow
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		fs, n, err = findFlows(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find flows: %w", err)
	}
	return fs, n, nil
}

// CreateFlow stores f and sets its ID (when empty) and dates. It returns
// NotFound if the application does not exist and Validation if the ID is
// taken.
func (db *DB) CreateFlow(ctx context.Context, f *weir.Flow) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createFlow(ctx, tx, f)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create flow: %w", err)
	}
	return nil
}

// UpdateFlow replaces the stored flow, except its application, creation date
// and stats, and sets LastUpdated; on return f holds the stored values of
// those. It returns NotFound if the flow does not exist in its application.
func (db *DB) UpdateFlow(ctx context.Context, f *weir.Flow) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return updateFlow(ctx, tx, f)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update flow %s: %w", f.ID, err)
	}
	return nil
}

// DeleteFlow removes the flow with its versions, storage, stats, logs and
// queued runs. It returns NotFound if the flow does not exist in that
// application.
func (db *DB) DeleteFlow(ctx context.Context, applicationID, flowID string) error {
	err := db.remove(ctx, func(ctx context.Context, tx *Tx) error {
		return deleteFlow(ctx, tx, applicationID, flowID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete flow %s: %w", flowID, err)
	}
	return nil
}

func errFlowNotFound() error {
	return weir.Errorf(weir.NotFound, "Flow was not found")
}

// querier is what reads need from a *sql.Tx or a *Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findFlowByID(ctx context.Context, tx querier, applicationID, flowID string) (*weir.Flow, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+flowColumns+` FROM flows WHERE id = ? AND application_id = ?`,
		flowID, applicationID)
	f, err := scanFlow(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errFlowNotFound()
	} else if err != nil {
		return nil, err
	}
	if f.Stats, err = findFlowStats(ctx, tx, f.ID); err != nil {
		return nil, err
	}
	return f, nil
}

func findFlows(ctx context.Context, tx *sql.Tx, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	cond, args, tail, err := listQuery(filter.ListOptions)
	if err != nil {
		return nil, 0, err
	}
	if filter.ApplicationID != "" {
		cond += " AND application_id = ?"
		args = append(args, filter.ApplicationID)
	}
	if filter.FlowClass != "" {
		cond += " AND flow_class = ?"
		args = append(args, filter.FlowClass)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM flows WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+flowColumns+` FROM flows WHERE `+cond+tail,
		append(args, pageArgs(filter.ListOptions)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	fs := []*weir.Flow{}
	for rows.Next() {
		f, err := scanFlow(rows)
		if err != nil {
			return nil, 0, err
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, f := range fs {
		if f.Stats, err = findFlowStats(ctx, tx, f.ID); err != nil {
			return nil, 0, err
		}
	}
	return fs, n, nil
}

// findFlowStats sums the flow's per-version stats into its totals.
func findFlowStats(ctx context.Context, tx querier, flowID string) (weir.FlowStats, error) {
	stats := weir.FlowStats{ByVersion: map[string]weir.VersionStats{}}
	rows, err := tx.QueryContext(ctx, `SELECT version, run_count, error_count FROM flow_stats WHERE flow_id = ?`, flowID)
	if err != nil {
		return stats, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			version string
			vs      weir.VersionStats
		)
		if err := rows.Scan(&version, &vs.RunCount, &vs.ErrorCount); err != nil {
			return stats, err
		}
		stats.ByVersion[version] = vs
		stats.RunCount += vs.RunCount
		stats.ErrorCount += vs.ErrorCount
	}
	return stats, rows.Err()
}

func createFlow(ctx context.Context, tx *Tx, f *weir.Flow) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM applications WHERE id = ?)`,
		f.ApplicationID).Scan(&exists); err != nil {
		return err
	} else if !exists {
		return errApplicationNotFound()
	}
	if f.ID == "" {
		f.ID = weir.NewID()
	}
	f.CreationDate, f.LastUpdated = tx.now, tx.now
	f.Stats = weir.FlowStats{ByVersion: map[string]weir.VersionStats{}}
	supports, definition, err := encodeFlow(f)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO flows (`+flowColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.ApplicationID, f.Name, f.Description, f.ShortDescription, f.IconData, f.DocsURL, f.Category,
		f.Enabled, f.FlowClass, f.DefaultVersionID, supports, millis(f.CreationDate), millis(f.LastUpdated),
		f.CreatedByID, f.CreatedByType, f.LastUpdatedByID, f.LastUpdatedByType, definition, f.Weir.KeepPayloads)
	if isUnique(err) {
		return weir.Errorf(weir.Validation, "Flow id %s is already in use", f.ID)
	}
	return err
}

func updateFlow(ctx context.Context, tx *Tx, f *weir.Flow) error {
	supports, definition, err := encodeFlow(f)
	if err != nil {
		return err
	}
	var created int64
	err = tx.QueryRowContext(ctx, `
		UPDATE flows
		SET name = ?, description = ?, short_description = ?, icon_data = ?, docs_url = ?, category = ?,
			enabled = ?, flow_class = ?, default_version_id = ?, custom_node_supports = ?, last_updated = ?,
			created_by_id = ?, created_by_type = ?, last_updated_by_id = ?, last_updated_by_type = ?,
			definition = ?, keep_payloads = ?
		WHERE id = ? AND application_id = ?
		RETURNING creation_date`,
		f.Name, f.Description, f.ShortDescription, f.IconData, f.DocsURL, f.Category,
		f.Enabled, f.FlowClass, f.DefaultVersionID, supports, millis(tx.now),
		f.CreatedByID, f.CreatedByType, f.LastUpdatedByID, f.LastUpdatedByType,
		definition, f.Weir.KeepPayloads, f.ID, f.ApplicationID).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return errFlowNotFound()
	} else if err != nil {
		return err
	}
	f.CreationDate, f.LastUpdated = fromMillis(created), tx.now
	f.Stats, err = findFlowStats(ctx, tx, f.ID)
	return err
}

func deleteFlow(ctx context.Context, tx *Tx, applicationID, flowID string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM flows WHERE id = ? AND application_id = ?`, flowID, applicationID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errFlowNotFound()
	}
	tx.OnCommit(func() { tx.db.queue.removeFlows(flowID) })
	return nil
}

// encodeFlow returns the JSON columns of f.
func encodeFlow(f *weir.Flow) (supports, definition string, err error) {
	if supports, err = marshal(f.CustomNodeSupports); err != nil {
		return "", "", fmt.Errorf("encode customNodeSupports: %w", err)
	}
	if definition, err = marshal(f.Definition); err != nil {
		return "", "", fmt.Errorf("encode definition: %w", err)
	}
	return supports, definition, nil
}

func scanFlow(s scanner) (*weir.Flow, error) {
	var (
		f                    weir.Flow
		supports, definition string
		created, updated     int64
	)
	if err := s.Scan(&f.ID, &f.ApplicationID, &f.Name, &f.Description, &f.ShortDescription, &f.IconData,
		&f.DocsURL, &f.Category, &f.Enabled, &f.FlowClass, &f.DefaultVersionID, &supports, &created, &updated,
		&f.CreatedByID, &f.CreatedByType, &f.LastUpdatedByID, &f.LastUpdatedByType, &definition,
		&f.Weir.KeepPayloads); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(supports), &f.CustomNodeSupports); err != nil {
		return nil, fmt.Errorf("decode customNodeSupports: %w", err)
	}
	def, err := weir.DecodeDefinition([]byte(definition))
	if err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	f.Definition = def
	f.CreationDate, f.LastUpdated = fromMillis(created), fromMillis(updated)
	return &f, nil
}
