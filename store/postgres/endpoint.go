package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

const endpointColumns = `id, application_id, route, method, description, access, enabled, creation_date, last_updated,
	experience_group_ids, unauthorized_reply, endpoint_tags, static_reply`

// endpointFields are what experience endpoints may be sorted and filtered
// by. Routes and methods sort byte-wise, as in SQLite, whatever the
// database's collation.
var endpointFields = listFields{
	sort: map[string]string{
		"":             `route COLLATE "C"`,
		"route":        `route COLLATE "C"`,
		"method":       `method COLLATE "C"`,
		"id":           `id COLLATE "C"`,
		"creationDate": "creation_date",
		"lastUpdated":  "last_updated",
	},
	filter:      map[string]string{"": "route", "route": "route"},
	sortNames:   "route, method, id, creationDate, lastUpdated",
	filterNames: "route",
}

// FindExperienceEndpointByID returns the application's endpoint with id, or
// NotFound.
func (db *DB) FindExperienceEndpointByID(ctx context.Context, applicationID, id string) (*weir.ExperienceEndpoint, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+endpointColumns+` FROM experience_endpoints
		WHERE id = $1 AND application_id = $2`, id, applicationID)
	e, err := scanEndpoint(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = errEndpointNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find experience endpoint %s: %w", id, err)
	}
	return e, nil
}

// FindExperienceEndpoints returns one page of the application's endpoints
// and the number matching the filter.
func (db *DB) FindExperienceEndpoints(ctx context.Context, filter weir.ExperienceEndpointFilter) ([]*weir.ExperienceEndpoint, int, error) {
	q := listQuery{table: "experience_endpoints", columns: endpointColumns, opts: filter.ListOptions,
		fields: &endpointFields}
	q.where = append(q.where, "application_id = "+q.args.add(filter.ApplicationID))
	es, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.ExperienceEndpoint, error) {
		return scanEndpoint(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find experience endpoints: %w", err)
	}
	return es, n, nil
}

// CreateExperienceEndpoint stores e, generating its ID when empty. It
// returns Validation for an invalid endpoint, a taken ID or a taken method
// and route, and NotFound if the application does not exist.
func (db *DB) CreateExperienceEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	if err := db.createEndpoint(ctx, e); err != nil {
		return fmt.Errorf("postgres: create experience endpoint: %w", err)
	}
	return nil
}

// UpdateExperienceEndpoint replaces the endpoint's settings; its creation
// date stays. It returns NotFound unless the application has the endpoint.
func (db *DB) UpdateExperienceEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	if err := db.updateEndpoint(ctx, e); err != nil {
		return fmt.Errorf("postgres: update experience endpoint %s: %w", e.ID, err)
	}
	return nil
}

// DeleteExperienceEndpoint removes the application's endpoint with id, or
// returns NotFound.
func (db *DB) DeleteExperienceEndpoint(ctx context.Context, applicationID, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM experience_endpoints WHERE id = $1 AND application_id = $2`,
		id, applicationID)
	if err == nil && tag.RowsAffected() == 0 {
		err = errEndpointNotFound()
	}
	if err != nil {
		return fmt.Errorf("postgres: delete experience endpoint %s: %w", id, err)
	}
	return nil
}

func errEndpointNotFound() error {
	return weir.Errorf(weir.NotFound, "Experience endpoint was not found")
}

func errEndpointRouteTaken(e *weir.ExperienceEndpoint) error {
	return weir.Errorf(weir.Validation, "An endpoint for %s %s already exists", e.Method, e.Route)
}

// isRouteTaken reports whether err is a violation of the unique method and
// route key of an application's endpoints.
func isRouteTaken(err error) bool {
	return isUnique(err) && pgConstraint(err) == "experience_endpoints_route"
}

// createEndpoint inserts e in one statement that selects its application,
// so a missing application inserts nothing and reports NotFound before any
// taken ID or route.
func (db *DB) createEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	id := e.ID
	if id == "" {
		id = weir.NewID()
	}
	groups, reply, tags, static, err := sqlstore.EncodeEndpointAccess(e)
	if err != nil {
		return err
	}
	now := db.now()
	tag, err := db.pool.Exec(ctx, `INSERT INTO experience_endpoints (`+endpointColumns+`, route_key)
		SELECT $1, id, $3, $4, $5, $6, $7, $8, $8, $10, $11, $12, $13, $9 FROM applications WHERE id = $2`,
		id, e.ApplicationID, e.Route, e.Method, e.Description, e.Access, e.Enabled, now, e.RouteKey(), groups, reply, tags, static)
	switch {
	case err == nil && tag.RowsAffected() == 0, isForeignKey(err):
		return errApplicationNotFound()
	case isRouteTaken(err):
		return errEndpointRouteTaken(e)
	case isUnique(err):
		return weir.Errorf(weir.Validation, "Experience endpoint id %s is already in use", id)
	case err != nil:
		return err
	}
	e.ID, e.CreationDate, e.LastUpdated = id, now, now
	return nil
}

func (db *DB) updateEndpoint(ctx context.Context, e *weir.ExperienceEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	groups, reply, tags, static, err := sqlstore.EncodeEndpointAccess(e)
	if err != nil {
		return err
	}
	now := db.now()
	var created time.Time
	err = db.pool.QueryRow(ctx, `
		UPDATE experience_endpoints
		SET route = $1, route_key = $2, method = $3, description = $4, access = $5, enabled = $6,
			last_updated = $7, experience_group_ids = $10, unauthorized_reply = $11, endpoint_tags = $12, static_reply = $13
		WHERE id = $8 AND application_id = $9
		RETURNING creation_date`,
		e.Route, e.RouteKey(), e.Method, e.Description, e.Access, e.Enabled, now, e.ID,
		e.ApplicationID, groups, reply, tags, static).Scan(&created)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errEndpointNotFound()
	case isRouteTaken(err):
		return errEndpointRouteTaken(e)
	case err != nil:
		return err
	}
	e.CreationDate, e.LastUpdated = created.UTC(), now
	return nil
}

func scanEndpoint(s scanner) (*weir.ExperienceEndpoint, error) {
	var (
		e                   weir.ExperienceEndpoint
		groups, reply, tags string
		static              string
	)
	if err := s.Scan(&e.ID, &e.ApplicationID, &e.Route, &e.Method, &e.Description, &e.Access, &e.Enabled,
		&e.CreationDate, &e.LastUpdated, &groups, &reply, &tags, &static); err != nil {
		return nil, err
	}
	if err := sqlstore.DecodeEndpointAccess(&e, groups, reply, tags, static); err != nil {
		return nil, err
	}
	e.CreationDate, e.LastUpdated = e.CreationDate.UTC(), e.LastUpdated.UTC()
	return &e, nil
}

var _ weir.ExperienceEndpointService = (*DB)(nil)
