package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/weirhq/weir"
)

const flowVersionColumns = `id, flow_id, application_id, version, notes, enabled, flow_class, creation_date,
	last_updated, created_by_id, created_by_type, last_updated_by_id, last_updated_by_type, definition`

// versionFields are what flow versions may be sorted and filtered by.
var versionFields = listFields{
	sort: map[string]string{
		"":             "version COLLATE NOCASE",
		"version":      "version COLLATE NOCASE",
		"id":           "id",
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
	var v *weir.FlowVersion
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		v, err = findFlowVersion(ctx, tx, applicationID, flowID, idOrName)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find flow version %s: %w", idOrName, err)
	}
	return v, nil
}

// FindFlowVersions returns one page of the flow's versions and the number
// matching the filter.
func (db *DB) FindFlowVersions(ctx context.Context, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error) {
	var (
		vs []*weir.FlowVersion
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		vs, n, err = findFlowVersions(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find flow versions: %w", err)
	}
	return vs, n, nil
}

// CreateFlowVersion stores v, or replaces the version of the same name when
// allowReplacement is set. It returns NotFound if the flow does not exist and
// Validation for a taken name or ID.
func (db *DB) CreateFlowVersion(ctx context.Context, v *weir.FlowVersion, allowReplacement bool) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createFlowVersion(ctx, tx, v, allowReplacement)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create flow version %s: %w", v.Version, err)
	}
	return nil
}

// UpdateFlowVersion changes the version's notes and enabled flag.
func (db *DB) UpdateFlowVersion(ctx context.Context, applicationID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error) {
	var v *weir.FlowVersion
	err := db.update(ctx, func(ctx context.Context, tx *Tx) (err error) {
		v, err = updateFlowVersion(ctx, tx, applicationID, flowID, idOrName, upd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: update flow version %s: %w", idOrName, err)
	}
	return v, nil
}

// DeleteFlowVersion removes the version unless it is develop or the flow's
// default version.
func (db *DB) DeleteFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) error {
	err := db.remove(ctx, func(ctx context.Context, tx *Tx) error {
		return deleteFlowVersion(ctx, tx, applicationID, flowID, idOrName)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete flow version %s: %w", idOrName, err)
	}
	return nil
}

func errFlowVersionNotFound() error {
	return weir.Errorf(weir.NotFound, "Flow version was not found")
}

func findFlowVersion(ctx context.Context, tx querier, applicationID, flowID, idOrName string) (*weir.FlowVersion, error) {
	q := `SELECT ` + flowVersionColumns + ` FROM flow_versions WHERE flow_id = ? AND application_id = ?`
	var (
		v   *weir.FlowVersion
		err error
	)
	if weir.ValidID(idOrName) {
		v, err = scanFlowVersion(tx.QueryRowContext(ctx, q+` AND id = ?`, flowID, applicationID, strings.ToLower(idOrName)))
	}
	if v == nil && (err == nil || errors.Is(err, sql.ErrNoRows)) {
		v, err = scanFlowVersion(tx.QueryRowContext(ctx, q+` AND version = ?`, flowID, applicationID, idOrName))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errFlowVersionNotFound()
	} else if err != nil {
		return nil, err
	}
	if v.Stats, err = findVersionStats(ctx, tx, v.FlowID, v.Version); err != nil {
		return nil, err
	}
	return v, nil
}

func findFlowVersions(ctx context.Context, tx *sql.Tx, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error) {
	cond, args, tail, err := listQueryOf(filter.ListOptions, versionFields)
	if err != nil {
		return nil, 0, err
	}
	cond += " AND flow_id = ? AND application_id = ?"
	args = append(args, filter.FlowID, filter.ApplicationID)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM flow_versions WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+flowVersionColumns+` FROM flow_versions WHERE `+cond+tail,
		append(args, pageArgs(filter.ListOptions)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	vs := []*weir.FlowVersion{}
	for rows.Next() {
		v, err := scanFlowVersion(rows)
		if err != nil {
			return nil, 0, err
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	stats, err := findFlowStats(ctx, tx, filter.FlowID)
	if err != nil {
		return nil, 0, err
	}
	for _, v := range vs {
		v.Stats = stats.ByVersion[v.Version]
	}
	return vs, n, nil
}

// findVersionStats returns the run stats of the flow's version name.
func findVersionStats(ctx context.Context, tx querier, flowID, version string) (weir.VersionStats, error) {
	var vs weir.VersionStats
	err := tx.QueryRowContext(ctx, `SELECT run_count, error_count FROM flow_stats WHERE flow_id = ? AND version = ?`,
		flowID, version).Scan(&vs.RunCount, &vs.ErrorCount)
	if errors.Is(err, sql.ErrNoRows) {
		return vs, nil
	}
	return vs, err
}

func createFlowVersion(ctx context.Context, tx *Tx, v *weir.FlowVersion, allowReplacement bool) error {
	if err := weir.ValidateVersionName(v.Version); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `SELECT flow_class FROM flows WHERE id = ? AND application_id = ?`,
		v.FlowID, v.ApplicationID).Scan(&v.FlowClass)
	if errors.Is(err, sql.ErrNoRows) {
		return errFlowNotFound()
	} else if err != nil {
		return err
	}
	definition, err := marshal(v.Definition)
	if err != nil {
		return fmt.Errorf("encode definition: %w", err)
	}

	var (
		oldID   string
		created int64
	)
	err = tx.QueryRowContext(ctx, `SELECT id, creation_date, created_by_id, created_by_type FROM flow_versions
		WHERE flow_id = ? AND version = ?`, v.FlowID, v.Version).Scan(&oldID, &created, &v.CreatedByID, &v.CreatedByType)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = insertFlowVersion(ctx, tx, v, definition)
	case err != nil:
	case !allowReplacement:
		err = weir.Errorf(weir.Validation, "Flow version %s already exists", v.Version)
	default:
		v.ID, v.CreationDate, v.LastUpdated = oldID, fromMillis(created), tx.now
		_, err = tx.ExecContext(ctx, `
			UPDATE flow_versions
			SET notes = ?, enabled = ?, flow_class = ?, last_updated = ?, last_updated_by_id = ?,
				last_updated_by_type = ?, definition = ?
			WHERE id = ?`,
			v.Notes, v.Enabled, v.FlowClass, millis(v.LastUpdated), v.LastUpdatedByID, v.LastUpdatedByType,
			definition, v.ID)
	}
	if err != nil {
		return err
	}
	v.Stats, err = findVersionStats(ctx, tx, v.FlowID, v.Version)
	return err
}

func insertFlowVersion(ctx context.Context, tx *Tx, v *weir.FlowVersion, definition string) error {
	if v.ID == "" {
		v.ID = weir.NewID()
	}
	v.CreationDate, v.LastUpdated = tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO flow_versions (`+flowVersionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.FlowID, v.ApplicationID, v.Version, v.Notes, v.Enabled, v.FlowClass, millis(v.CreationDate),
		millis(v.LastUpdated), v.CreatedByID, v.CreatedByType, v.LastUpdatedByID, v.LastUpdatedByType, definition)
	if isUnique(err) {
		return weir.Errorf(weir.Validation, "Flow version id %s is already in use", v.ID)
	}
	return err
}

func updateFlowVersion(ctx context.Context, tx *Tx, applicationID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error) {
	v, err := findFlowVersion(ctx, tx, applicationID, flowID, idOrName)
	if err != nil {
		return nil, err
	}
	if upd.Notes != nil {
		v.Notes = *upd.Notes
	}
	if upd.Enabled != nil {
		v.Enabled = *upd.Enabled
	}
	v.LastUpdated, v.LastUpdatedByID, v.LastUpdatedByType = tx.now, upd.LastUpdatedByID, upd.LastUpdatedByType
	_, err = tx.ExecContext(ctx, `
		UPDATE flow_versions
		SET notes = ?, enabled = ?, last_updated = ?, last_updated_by_id = ?, last_updated_by_type = ?
		WHERE id = ?`,
		v.Notes, v.Enabled, millis(v.LastUpdated), v.LastUpdatedByID, v.LastUpdatedByType, v.ID)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func deleteFlowVersion(ctx context.Context, tx *Tx, applicationID, flowID, idOrName string) error {
	if idOrName == weir.DevelopVersion {
		return weir.Errorf(weir.Validation, "The develop version cannot be deleted")
	}
	v, err := findFlowVersion(ctx, tx, applicationID, flowID, idOrName)
	if err != nil {
		return err
	}
	var isDefault bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM flows WHERE id = ? AND lower(default_version_id) = ?)`,
		flowID, v.ID).Scan(&isDefault); err != nil {
		return err
	} else if isDefault {
		return weir.Errorf(weir.Validation, "The default version of a flow cannot be deleted")
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM flow_versions WHERE id = ?`, v.ID)
	return err
}

func scanFlowVersion(s scanner) (*weir.FlowVersion, error) {
	var (
		v                weir.FlowVersion
		definition       string
		created, updated int64
	)
	if err := s.Scan(&v.ID, &v.FlowID, &v.ApplicationID, &v.Version, &v.Notes, &v.Enabled, &v.FlowClass, &created,
		&updated, &v.CreatedByID, &v.CreatedByType, &v.LastUpdatedByID, &v.LastUpdatedByType, &definition); err != nil {
		return nil, err
	}
	def, err := weir.DecodeDefinition([]byte(definition))
	if err != nil {
		return nil, fmt.Errorf("decode definition: %w", err)
	}
	v.Definition = def
	v.CreationDate, v.LastUpdated = fromMillis(created), fromMillis(updated)
	return &v, nil
}
