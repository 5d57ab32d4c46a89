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

const applicationColumns = `id, name, description, owner_id, owner_type, globals, creation_date, last_updated,
	endpoint_slug, blob_url_ttl`

// applicationSlugIndex is the unique index of applications' endpoint
// slugs (migration 0022).
const applicationSlugIndex = "applications_endpoint_slug"

// FindApplicationByID returns NotFound if there is no application with id.
func (db *DB) FindApplicationByID(ctx context.Context, id string) (*weir.Application, error) {
	a, err := db.findApplication(ctx, "id", id)
	if err != nil {
		return nil, fmt.Errorf("postgres: find application %s: %w", id, err)
	}
	return a, nil
}

// findApplication returns the application whose column (id or
// endpoint_slug) is value, or NotFound.
func (db *DB) findApplication(ctx context.Context, column, value string) (*weir.Application, error) {
	a, err := scanApplication(db.pool.QueryRow(ctx, `SELECT `+applicationColumns+` FROM applications WHERE `+column+` = $1`, value))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errApplicationNotFound()
	}
	return a, err
}

// FindApplications returns one page of applications, of one owner when
// ownerID is set, and the number matching across all pages.
func (db *DB) FindApplications(ctx context.Context, ownerID string, opts weir.ListOptions) ([]*weir.Application, int, error) {
	q := listQuery{table: "applications", columns: applicationColumns, opts: opts}
	if ownerID != "" {
		q.where = append(q.where, "owner_id = "+q.args.add(ownerID))
	}
	as, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.Application, error) {
		return scanApplication(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find applications: %w", err)
	}
	return as, n, nil
}

// FindApplicationBySlug returns NotFound if no application has slug as its
// endpointSlug.
func (db *DB) FindApplicationBySlug(ctx context.Context, slug string) (*weir.Application, error) {
	var (
		a   *weir.Application
		err = errApplicationNotFound()
	)
	if slug != "" {
		a, err = db.findApplication(ctx, "endpoint_slug", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find application by slug %s: %w", slug, err)
	}
	return a, nil
}

// CreateApplication stores a and sets its ID (when empty) and dates. It
// returns Validation if the ID or the endpointSlug is taken.
func (db *DB) CreateApplication(ctx context.Context, a *weir.Application) error {
	if err := db.createApplication(ctx, a); err != nil {
		return fmt.Errorf("postgres: create application: %w", err)
	}
	return nil
}

// UpdateApplication replaces the stored application and sets LastUpdated;
// CreationDate keeps its stored value. It returns NotFound if a does not
// exist, Validation if another application has its endpointSlug.
func (db *DB) UpdateApplication(ctx context.Context, a *weir.Application) error {
	if err := db.updateApplication(ctx, a); err != nil {
		return fmt.Errorf("postgres: update application %s: %w", a.ID, err)
	}
	return nil
}

// DeleteApplication removes the application, its flows with their storage,
// stats, logs and queued runs, and the tokens it owns. It returns NotFound if
// the application does not exist.
func (db *DB) DeleteApplication(ctx context.Context, id string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := dropApplicationDataTables(ctx, tx, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM applications WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errApplicationNotFound()
		}
		_, err = tx.Exec(ctx, `DELETE FROM tokens WHERE owner_type = $1 AND owner_id = $2`, weir.OwnerApplication, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete application %s: %w", id, err)
	}
	return nil
}

func errApplicationNotFound() error {
	return weir.Errorf(weir.NotFound, "Application was not found")
}

func (db *DB) createApplication(ctx context.Context, a *weir.Application) error {
	globals, err := marshal(a.Globals)
	if err != nil {
		return fmt.Errorf("encode globals: %w", err)
	}
	id := a.ID
	if id == "" {
		id = weir.NewID()
	}
	now := db.now()
	_, err = db.pool.Exec(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, a.Name, a.Description, a.OwnerID, a.OwnerType, globals, now, now, a.EndpointSlug, a.BlobURLTTL)
	switch {
	case isUnique(err) && pgConstraint(err) == applicationSlugIndex:
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	case isUnique(err):
		return weir.Errorf(weir.Validation, "Application id %s is already in use", id)
	case err != nil:
		return err
	}
	a.ID, a.CreationDate, a.LastUpdated = id, now, now
	return nil
}

func (db *DB) updateApplication(ctx context.Context, a *weir.Application) error {
	globals, err := marshal(a.Globals)
	if err != nil {
		return fmt.Errorf("encode globals: %w", err)
	}
	now := db.now()
	var created time.Time
	err = db.pool.QueryRow(ctx, `
		UPDATE applications
		SET name = $1, description = $2, owner_id = $3, owner_type = $4, globals = $5, last_updated = $6,
			endpoint_slug = $8, blob_url_ttl = $9
		WHERE id = $7
		RETURNING creation_date`,
		a.Name, a.Description, a.OwnerID, a.OwnerType, globals, now, a.ID, a.EndpointSlug, a.BlobURLTTL).Scan(&created)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errApplicationNotFound()
	case isUnique(err):
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	case err != nil:
		return err
	}
	a.CreationDate, a.LastUpdated = created.UTC(), now
	return nil
}

// scanner is a pgx.Row or pgx.CollectableRow.
type scanner interface{ Scan(dest ...any) error }

func scanApplication(s scanner) (*weir.Application, error) {
	var (
		a       weir.Application
		globals string
	)
	if err := s.Scan(&a.ID, &a.Name, &a.Description, &a.OwnerID, &a.OwnerType, &globals,
		&a.CreationDate, &a.LastUpdated, &a.EndpointSlug, &a.BlobURLTTL); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(globals), &a.Globals); err != nil {
		return nil, fmt.Errorf("decode globals: %w", err)
	}
	a.CreationDate, a.LastUpdated = a.CreationDate.UTC(), a.LastUpdated.UTC()
	return &a, nil
}

// dropApplicationDataTables drops the tables of the rows of the
// application's data tables (store/sqlstore names them dt_<table id>); the
// data_tables rows go with the application by cascade.
func dropApplicationDataTables(ctx context.Context, tx pgx.Tx, applicationID string) error {
	rows, err := tx.Query(ctx, `SELECT id FROM data_tables WHERE application_id = $1`, applicationID)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !weir.ValidID(id) {
			continue
		}
		if _, err := tx.Exec(ctx, `DROP TABLE IF EXISTS dt_`+id); err != nil {
			return err
		}
	}
	return nil
}
