package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

const flowColumns = `id, application_id, name, description, short_description, icon_data, docs_url, category,
	enabled, flow_class, default_version_id, custom_node_supports, creation_date, last_updated,
	created_by_id, created_by_type, last_updated_by_id, last_updated_by_type, definition, keep_payloads`

// flowStatsColumn reads a flow's per-version stats, summed over their
// shards, as a JSON object of [runCount, errorCount] pairs, so a flow and its
// stats take one query.
const flowStatsColumn = `(SELECT json_object_agg(v.version, json_build_array(v.runs, v.errors))::text
	FROM (SELECT s.version, sum(s.run_count) AS runs, sum(s.error_count) AS errors
		FROM flow_stats s WHERE s.flow_id = flows.id GROUP BY s.version) v)`

// FindFlowByID returns NotFound unless the flow exists in that application.
func (db *DB) FindFlowByID(ctx context.Context, applicationID, flowID string) (*weir.Flow, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+flowColumns+`, `+flowStatsColumn+`
		FROM flows WHERE id = $1 AND application_id = $2`, flowID, applicationID)
	f, err := scanFlow(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = errFlowNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find flow %s: %w", flowID, err)
	}
	return f, nil
}

// FindFlows returns one page of flows and the number matching the filter. An
// empty ApplicationID matches the flows of every application.
func (db *DB) FindFlows(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	q := listQuery{table: "flows", columns: flowColumns + ", " + flowStatsColumn, opts: filter.ListOptions}
	if filter.ApplicationID != "" {
		q.where = append(q.where, "application_id = "+q.args.add(filter.ApplicationID))
	}
	if filter.FlowClass != "" {
		q.where = append(q.where, "flow_class = "+q.args.add(filter.FlowClass))
	}
	fs, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.Flow, error) {
		return scanFlow(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find flows: %w", err)
	}
	return fs, n, nil
}

// CreateFlow stores f and sets its ID (when empty) and dates. It returns
// NotFound if the application does not exist and Validation if the ID is
// taken.
func (db *DB) CreateFlow(ctx context.Context, f *weir.Flow) error {
	if err := db.createFlow(ctx, f); err != nil {
		return fmt.Errorf("postgres: create flow: %w", err)
	}
	return nil
}

// UpdateFlow replaces the stored flow, except its application, creation date
// and stats, and sets LastUpdated; on return f holds the stored values of
// those. It returns NotFound if the flow does not exist in its application.
func (db *DB) UpdateFlow(ctx context.Context, f *weir.Flow) error {
	if err := db.updateFlow(ctx, f); err != nil {
		return fmt.Errorf("postgres: update flow %s: %w", f.ID, err)
	}
	return nil
}

// DeleteFlow removes the flow with its storage, stats, logs and queued runs.
// It returns NotFound if the flow does not exist in that application.
func (db *DB) DeleteFlow(ctx context.Context, applicationID, flowID string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM flows WHERE id = $1 AND application_id = $2`, flowID, applicationID)
	if err == nil && tag.RowsAffected() == 0 {
		err = errFlowNotFound()
	}
	if err != nil {
		return fmt.Errorf("postgres: delete flow %s: %w", flowID, err)
	}
	return nil
}

func errFlowNotFound() error {
	return weir.Errorf(weir.NotFound, "Flow was not found")
}

func (db *DB) createFlow(ctx context.Context, f *weir.Flow) error {
	supports, definition, err := encodeFlow(f)
	if err != nil {
		return err
	}
	id := f.ID
	if id == "" {
		id = weir.NewID()
	}
	now := db.now()
	_, err = db.pool.Exec(ctx, `INSERT INTO flows (`+flowColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		id, f.ApplicationID, f.Name, f.Description, f.ShortDescription, f.IconData, f.DocsURL, f.Category,
		f.Enabled, f.FlowClass, f.DefaultVersionID, supports, now, now,
		f.CreatedByID, f.CreatedByType, f.LastUpdatedByID, f.LastUpdatedByType, definition, f.Weir.KeepPayloads)
	switch {
	case isUnique(err):
		return weir.Errorf(weir.Validation, "Flow id %s is already in use", id)
	case isForeignKey(err):
		return errApplicationNotFound()
	case err != nil:
		return err
	}
	f.ID, f.CreationDate, f.LastUpdated = id, now, now
	f.Stats = weir.FlowStats{ByVersion: map[string]weir.VersionStats{}}
	return nil
}

func (db *DB) updateFlow(ctx context.Context, f *weir.Flow) error {
	supports, definition, err := encodeFlow(f)
	if err != nil {
		return err
	}
	now := db.now()
	var (
		created time.Time
		stats   *string
	)
	err = db.pool.QueryRow(ctx, `
		UPDATE flows
		SET name = $1, description = $2, short_description = $3, icon_data = $4, docs_url = $5, category = $6,
			enabled = $7, flow_class = $8, default_version_id = $9, custom_node_supports = $10, last_updated = $11,
			created_by_id = $12, created_by_type = $13, last_updated_by_id = $14, last_updated_by_type = $15,
			definition = $16, keep_payloads = $19
		WHERE id = $17 AND application_id = $18
		RETURNING creation_date, `+flowStatsColumn,
		f.Name, f.Description, f.ShortDescription, f.IconData, f.DocsURL, f.Category,
		f.Enabled, f.FlowClass, f.DefaultVersionID, supports, now,
		f.CreatedByID, f.CreatedByType, f.LastUpdatedByID, f.LastUpdatedByType,
		definition, f.ID, f.ApplicationID, f.Weir.KeepPayloads).Scan(&created, &stats)
	if errors.Is(err, pgx.ErrNoRows) {
		return errFlowNotFound()
	} else if err != nil {
		return err
	}
	if f.Stats, err = decodeFlowStats(stats); err != nil {
		return err
	}
	f.CreationDate, f.LastUpdated = created.UTC(), now
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

// scanFlow decodes flowColumns followed by flowStatsColumn.
func scanFlow(s scanner) (*weir.Flow, error) {
	var (
		f                    weir.Flow
		supports, definition string
		stats                *string
	)
	if err := s.Scan(&f.ID, &f.ApplicationID, &f.Name, &f.Description, &f.ShortDescription, &f.IconData,
		&f.DocsURL, &f.Category, &f.Enabled, &f.FlowClass, &f.DefaultVersionID, &supports,
		&f.CreationDate, &f.LastUpdated, &f.CreatedByID, &f.CreatedByType, &f.LastUpdatedByID,
		&f.LastUpdatedByType, &definition, &f.Weir.KeepPayloads, &stats); err != nil {
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
	if f.Stats, err = decodeFlowStats(stats); err != nil {
		return nil, err
	}
	f.CreationDate, f.LastUpdated = f.CreationDate.UTC(), f.LastUpdated.UTC()
	return &f, nil
}

// decodeFlowStats sums the per-version stats that flowStatsColumn read into
// the flow's totals; nil means the flow has no runs yet.
func decodeFlowStats(text *string) (weir.FlowStats, error) {
	stats := weir.FlowStats{ByVersion: map[string]weir.VersionStats{}}
	if text == nil {
		return stats, nil
	}
	var byVersion map[string][2]int
	if err := json.Unmarshal([]byte(*text), &byVersion); err != nil {
		return stats, fmt.Errorf("decode stats: %w", err)
	}
	for version, counts := range byVersion {
		stats.ByVersion[version] = weir.VersionStats{RunCount: counts[0], ErrorCount: counts[1]}
		stats.RunCount += counts[0]
		stats.ErrorCount += counts[1]
	}
	return stats, nil
}
