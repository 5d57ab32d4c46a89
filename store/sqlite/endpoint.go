package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

const endpointColumns = `id, application_id, route, method, description, access, enabled, creation_date, last_updated,
	experience_group_ids, unauthorized_reply, endpoint_tags, static_reply`

// endpointFields are what experience endpoints are sorted and filtered by.
var endpointFields = listFields{
	sort: map[string]string{
		"": "route", "route": "route", "method": "method", "id": "id",
		"creationDate": "creation_date", "lastUpdated": "last_updated",
	},
	filter:      map[string]string{"": "route", "route": "route"},
	sortNames:   "route, method, id, creationDate, lastUpdated",
	filterNames: "route",
}

// FindExperienceEndpointByID returns the application's endpoint with id, or
// NotFound.
func (db *DB) FindExperienceEndpointByID(ctx context.Context, applicationID, id string) (*weir.ExperienceEndpoint, error) {
	var e *weir.ExperienceEndpoint
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		e, err = findEndpoint(ctx, tx, id, applicationID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find experience endpoint %s: %w", id, err)
	}
	return e, nil
}

// FindExperienceEndpoints returns one page of the application's endpoints
// and the number matching the filter.
func (db *DB) FindExperienceEndpoints(ctx context.Context, filter weir.ExperienceEndpointFilter) ([]*weir.ExperienceEndpoint, int, error) {
	var (
		es []*weir.ExperienceEndpoint
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		es, n, err = findEndpoints(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find experience endpoints: %w", err)
	}
	return es, n, nil
}

// CreateExperienceEndpoint stores e, generating its ID when empty.
func (db *DB) CreateExperienceEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createEndpoint(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create experience endpoint: %w", err)
	}
	return nil
}

// UpdateExperienceEndpoint replaces the endpoint's settings; its creation
// date stays.
func (db *DB) UpdateExperienceEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return updateEndpoint(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update experience endpoint %s: %w", e.ID, err)
	}
	return nil
}

// DeleteExperienceEndpoint removes the application's endpoint with id, or
// returns NotFound.
func (db *DB) DeleteExperienceEndpoint(ctx context.Context, applicationID, id string) error {
	err := db.removeLast(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM experience_endpoints WHERE id = ? AND application_id = ?`, id, applicationID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errEndpointNotFound()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete experience endpoint %s: %w", id, err)
	}
	return nil
}

func errEndpointNotFound() error {
	return weir.Errorf(weir.NotFound, "Experience endpoint was not found")
}

func errEndpointRouteTaken(e *weir.ExperienceEndpoint) error {
	return weir.Errorf(weir.Validation, "An endpoint for %s %s already exists", e.Method, e.Route)
}

func findEndpoint(ctx context.Context, tx querier, id, applicationID string) (*weir.ExperienceEndpoint, error) {
	e, err := scanEndpoint(tx.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM experience_endpoints
		WHERE id = ? AND application_id = ?`, id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errEndpointNotFound()
	}
	return e, err
}

func findEndpoints(ctx context.Context, tx *sql.Tx, filter weir.ExperienceEndpointFilter) ([]*weir.ExperienceEndpoint, int, error) {
	cond, args, tail, err := listQueryOf(filter.ListOptions, endpointFields)
	if err != nil {
		return nil, 0, err
	}
	cond += " AND application_id = ?"
	args = append(args, filter.ApplicationID)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM experience_endpoints WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+endpointColumns+` FROM experience_endpoints WHERE `+cond+tail,
		append(args, pageArgs(filter.ListOptions)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	es := []*weir.ExperienceEndpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, 0, err
		}
		es = append(es, e)
	}
	return es, n, rows.Err()
}

func createEndpoint(ctx context.Context, tx *Tx, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM applications WHERE id = ?)`,
		e.ApplicationID).Scan(&exists); err != nil {
		return err
	} else if !exists {
		return errApplicationNotFound()
	}
	if e.ID == "" {
		e.ID = weir.NewID()
	}
	groups, reply, tags, static, err := sqlstore.EncodeEndpointAccess(e)
	if err != nil {
		return err
	}
	e.CreationDate, e.LastUpdated = tx.now, tx.now
	_, err = tx.ExecContext(ctx, `INSERT INTO experience_endpoints (`+endpointColumns+`, route_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.ApplicationID, e.Route, e.Method, e.Description, e.Access, e.Enabled,
		millis(e.CreationDate), millis(e.LastUpdated), groups, reply, tags, static, e.RouteKey())
	switch {
	case isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return weir.Errorf(weir.Validation, "Experience endpoint id %s is already in use", e.ID)
	case isUnique(err):
		return errEndpointRouteTaken(e)
	}
	return err
}

func updateEndpoint(ctx context.Context, tx *Tx, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	old, err := findEndpoint(ctx, tx, e.ID, e.ApplicationID)
	if err != nil {
		return err
	}
	groups, reply, tags, static, err := sqlstore.EncodeEndpointAccess(e)
	if err != nil {
		return err
	}
	e.CreationDate, e.LastUpdated = old.CreationDate, tx.now
	_, err = tx.ExecContext(ctx, `
		UPDATE experience_endpoints
		SET route = ?, route_key = ?, method = ?, description = ?, access = ?, enabled = ?, last_updated = ?,
			experience_group_ids = ?, unauthorized_reply = ?, endpoint_tags = ?, static_reply = ?
		WHERE id = ?`,
		e.Route, e.RouteKey(), e.Method, e.Description, e.Access, e.Enabled, millis(e.LastUpdated), groups, reply, tags, static, e.ID)
	if isUnique(err) {
		return errEndpointRouteTaken(e)
	}
	return err
}

func scanEndpoint(s scanner) (*weir.ExperienceEndpoint, error) {
	var (
		e                weir.ExperienceEndpoint
		created, updated int64
		groups, reply    string
		tags, static     string
	)
	if err := s.Scan(&e.ID, &e.ApplicationID, &e.Route, &e.Method, &e.Description, &e.Access, &e.Enabled,
		&created, &updated, &groups, &reply, &tags, &static); err != nil {
		return nil, err
	}
	if err := sqlstore.DecodeEndpointAccess(&e, groups, reply, tags, static); err != nil {
		return nil, err
	}
	e.CreationDate, e.LastUpdated = fromMillis(created), fromMillis(updated)
	return &e, nil
}

var _ weir.ExperienceEndpointService = (*DB)(nil)
