package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/weirhq/weir"
)

const flowVersionColumns = `id, flow_id, application_id, version, notes, enabled, flow_class, creation_date,
	last_updated, created_by_id, created_by_type, last_updated_by_id, last_updated_by_type, definition`

// versionStatsColumn reads the run stats of a version, summed over their
// shards, as a JSON [runCount, errorCount] pair.
const versionStatsColumn = `(SELECT json_build_array(COALESCE(sum(s.run_count), 0), COALESCE(sum(s.error_count), 0))::text
	FROM flow_stats s WHERE s.flow_id = flow_versions.flow_id AND s.version = flow_versions.version)`

// versionLookup is the condition selecting the version of flow $1 in
// application $2 whose id is $3 or, failing that, whose name is $4.
const versionLookup = `id = (SELECT id FROM flow_versions
	WHERE flow_id = $1 AND application_id = $2 AND (id = $3 OR version = $4)
	ORDER BY id = $3 DESC LIMIT 1)`

// versionFields are what flow versions may be sorted and filtered by.
var versionFields = listFields{
	sort: map[string]string{
		"":             `lower(version) COLLATE "C"`,
		"version":      `lower(version) COLLATE "C"`,
		"id":           `id COLLATE "C"`,
		"creationDate": "creation_date",
		"lastUpdated":  "last_updated",
	},
	filter:      map[string]string{"": "version", "version": "version"},
	sortNames:   "version, id, creationDate, lastUpdated",
	filterNames: "version",
}

// FindFlowVersion returns the flow's version whose id, or else name, is
// idOrName. It returns NotFound unless there is one.
func (db *DB) FindFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) (*weir.FlowVersion, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+flowVersionColumns+`, `+versionStatsColumn+`
		FROM flow_versions WHERE `+versionLookup, versionLookupArgs(applicationID, flowID, idOrName)...)
	v, err := scanFlowVersion(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = errFlowVersionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find flow version %s: %w", idOrName, err)
	}
	return v, nil
}

// FindFlowVersions returns one page of the flow's versions and the number
// matching the filter.
func (db *DB) FindFlowVersions(ctx context.Context, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error) {
	q := listQuery{table: "flow_versions", columns: flowVersionColumns + ", " + versionStatsColumn,
		opts: filter.ListOptions, fields: &versionFields}
	q.where = append(q.where, "flow_id = "+q.args.add(filter.FlowID), "application_id = "+q.args.add(filter.ApplicationID))
	vs, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.FlowVersion, error) {
		return scanFlowVersion(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find flow versions: %w", err)
	}
	return vs, n, nil
}

// CreateFlowVersion stores v, or replaces the version of the same name when
// allowReplacement is set. It returns NotFound if the flow does not exist and
// Validation for a taken name or ID.
func (db *DB) CreateFlowVersion(ctx context.Context, v *weir.FlowVersion, allowReplacement bool) error {
	err := weir.ValidateVersionName(v.Version)
	if err == nil {
		err = db.createFlowVersion(ctx, v, allowReplacement)
		if isNameTaken(err) && allowReplacement {
			// Another process created the name meanwhile; replace it.
			err = db.createFlowVersion(ctx, v, allowReplacement)
		}
		if isNameTaken(err) {
			err = errVersionExists(v.Version)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: create flow version %s: %w", v.Version, err)
	}
	return nil
}

// UpdateFlowVersion changes the version's notes and enabled flag.
func (db *DB) UpdateFlowVersion(ctx context.Context, applicationID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error) {
	args := append(versionLookupArgs(applicationID, flowID, idOrName),
		upd.Notes, upd.Enabled, db.now(), upd.LastUpdatedByID, upd.LastUpdatedByType)
	row := db.pool.QueryRow(ctx, `
		UPDATE flow_versions
		SET notes = COALESCE($5, notes), enabled = COALESCE($6, enabled), last_updated = $7,
			last_updated_by_id = $8, last_updated_by_type = $9
		WHERE `+versionLookup+`
		RETURNING `+flowVersionColumns+`, `+versionStatsColumn, args...)
	v, err := scanFlowVersion(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = errFlowVersionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update flow version %s: %w", idOrName, err)
	}
	return v, nil
}

// DeleteFlowVersion removes the version unless it is develop or the flow's
// default version.
func (db *DB) DeleteFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) error {
	var err error = weir.Errorf(weir.Validation, "The develop version cannot be deleted")
	if idOrName != weir.DevelopVersion {
		err = db.deleteFlowVersion(ctx, applicationID, flowID, idOrName)
	}
	if err != nil {
		return fmt.Errorf("postgres: delete flow version %s: %w", idOrName, err)
	}
	return nil
}

func errFlowVersionNotFound() error {
	return weir.Errorf(weir.NotFound, "Flow version was not found")
}

func errVersionExists(name string) error {
	return weir.Errorf(weir.Validation, "Flow version %s already exists", name)
}

// versionLookupArgs returns the arguments of versionLookup: ids match
// case-insensitively, names exactly.
func versionLookupArgs(applicationID, flowID, idOrName string) []any {
	id := ""
	if weir.ValidID(idOrName) {
		id = strings.ToLower(idOrName)
	}
	return []any{flowID, applicationID, id, idOrName}
}

// createFlowVersion inserts v, or with allowReplacement replaces the version
// of the same name, in one transaction holding the flow's row.
func (db *DB) createFlowVersion(ctx context.Context, v *weir.FlowVersion, allowReplacement bool) error {
	definition, err := marshal(v.Definition)
	if err != nil {
		return fmt.Errorf("encode definition: %w", err)
	}
	now := db.now()
	out := *v
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT flow_class FROM flows WHERE id = $1 AND application_id = $2 FOR SHARE`,
			out.FlowID, out.ApplicationID).Scan(&out.FlowClass)
		if errors.Is(err, pgx.ErrNoRows) {
			return errFlowNotFound()
		} else if err != nil {
			return err
		}
		var old weir.FlowVersion
		err = tx.QueryRow(ctx, `SELECT id, creation_date, created_by_id, created_by_type FROM flow_versions
			WHERE flow_id = $1 AND version = $2 FOR UPDATE`, out.FlowID, out.Version).Scan(
			&old.ID, &old.CreationDate, &old.CreatedByID, &old.CreatedByType)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if out.ID == "" {
				out.ID = weir.NewID()
			}
			out.CreationDate = now
			_, err = tx.Exec(ctx, `INSERT INTO flow_versions (`+flowVersionColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				out.ID, out.FlowID, out.ApplicationID, out.Version, out.Notes, out.Enabled, out.FlowClass, now,
				now, out.CreatedByID, out.CreatedByType, out.LastUpdatedByID, out.LastUpdatedByType, definition)
			if isUnique(err) && !isNameTaken(err) {
				return weir.Errorf(weir.Validation, "Flow version id %s is already in use", out.ID)
			}
		case err != nil:
		case !allowReplacement:
			err = errVersionExists(out.Version)
		default:
			out.ID, out.CreationDate = old.ID, old.CreationDate.UTC()
			out.CreatedByID, out.CreatedByType = old.CreatedByID, old.CreatedByType
			_, err = tx.Exec(ctx, `
				UPDATE flow_versions
				SET notes = $1, enabled = $2, flow_class = $3, last_updated = $4, last_updated_by_id = $5,
					last_updated_by_type = $6, definition = $7
				WHERE id = $8`,
				out.Notes, out.Enabled, out.FlowClass, now, out.LastUpdatedByID, out.LastUpdatedByType,
				definition, out.ID)
		}
		if err != nil {
			return err
		}
		out.LastUpdated = now
		out.Stats, err = findVersionStats(ctx, tx, out.FlowID, out.Version)
		return err
	})
	if err != nil {
		return err
	}
	*v = out
	return nil
}

func (db *DB) deleteFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var id string
		var isDefault *bool
		err := tx.QueryRow(ctx, `
			SELECT id, (SELECT lower(f.default_version_id) = flow_versions.id FROM flows f
				WHERE f.id = flow_versions.flow_id)
			FROM flow_versions WHERE `+versionLookup,
			versionLookupArgs(applicationID, flowID, idOrName)...).Scan(&id, &isDefault)
		if errors.Is(err, pgx.ErrNoRows) {
			return errFlowVersionNotFound()
		} else if err != nil {
			return err
		}
		if isDefault != nil && *isDefault {
			return weir.Errorf(weir.Validation, "The default version of a flow cannot be deleted")
		}
		_, err = tx.Exec(ctx, `DELETE FROM flow_versions WHERE id = $1`, id)
		return err
	})
}

// findVersionStats returns the run stats of the flow's version name.
func findVersionStats(ctx context.Context, tx pgx.Tx, flowID, version string) (weir.VersionStats, error) {
	var vs weir.VersionStats
	err := tx.QueryRow(ctx, `SELECT COALESCE(sum(run_count), 0), COALESCE(sum(error_count), 0)
		FROM flow_stats WHERE flow_id = $1 AND version = $2`, flowID, version).Scan(&vs.RunCount, &vs.ErrorCount)
	return vs, err
}

// isNameTaken reports whether err is a violation of the unique version
// names of a flow.
func isNameTaken(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == codeUniqueViolation && e.ConstraintName == "flow_versions_name"
}

// scanFlowVersion decodes flowVersionColumns followed by versionStatsColumn.
func scanFlowVersion(s scanner) (*weir.FlowVersion, error) {
	var (
		v                 weir.FlowVersion
		definition, stats string
		created, updated  time.Time
	)
	if err := s.Scan(&v.ID, &v.FlowID, &v.ApplicationID, &v.Version, &v.Notes, &v.Enabled, &v.FlowClass, &created,
		&updated, &v.CreatedByID, &v.CreatedByType, &v.LastUpdatedByID, &v.LastUpdatedByType, &definition,
		&stats); err != nil {
		return nil, err
	}
	def, err := weir.DecodeDefinition([]byte(definition))
	if err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	v.Definition = def
	var counts [2]int
	if err := json.Unmarshal([]byte(stats), &counts); err != nil {
		return nil, fmt.Errorf("decode stats: %w", err)
	}
	v.Stats = weir.VersionStats{RunCount: counts[0], ErrorCount: counts[1]}
	v.CreationDate, v.LastUpdated = created.UTC(), updated.UTC()
	return &v, nil
}
