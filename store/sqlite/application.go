package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

const applicationColumns = `id, name, description, owner_id, owner_type, globals, creation_date, last_updated,
	endpoint_slug, blob_url_ttl`

// FindApplicationByID returns NotFound if there is no application with id.
func (db *DB) FindApplicationByID(ctx context.Context, id string) (*weir.Application, error) {
	var a *weir.Application
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		a, err = findApplicationByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find application %s: %w", id, err)
	}
	return a, nil
}

// FindApplications returns one page of applications, of one owner when
// ownerID is set, and the number matching across all pages.
func (db *DB) FindApplications(ctx context.Context, ownerID string, opts weir.ListOptions) ([]*weir.Application, int, error) {
	var (
		as []*weir.Application
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		as, n, err = findApplications(ctx, tx, ownerID, opts)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find applications: %w", err)
	}
	return as, n, nil
}

// FindApplicationBySlug returns NotFound if no application has slug as its
// endpointSlug.
func (db *DB) FindApplicationBySlug(ctx context.Context, slug string) (*weir.Application, error) {
	var a *weir.Application
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		if slug == "" {
			return errApplicationNotFound()
		}
		a, err = findApplication(ctx, tx, "endpoint_slug", slug)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find application by slug %s: %w", slug, err)
	}
	return a, nil
}

// CreateApplication stores a and sets its ID (when empty) and dates. It
// returns Validation if the ID or the endpointSlug is taken.
func (db *DB) CreateApplication(ctx context.Context, a *weir.Application) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createApplication(ctx, tx, a)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create application: %w", err)
	}
	return nil
}

// UpdateApplication replaces the stored application and sets LastUpdated;
// CreationDate keeps its stored value. It returns NotFound if a does not
// exist, Validation if another application has its endpointSlug.
func (db *DB) UpdateApplication(ctx context.Context, a *weir.Application) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return updateApplication(ctx, tx, a)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update application %s: %w", a.ID, err)
	}
	return nil
}

// DeleteApplication removes the application, its flows with their storage,
// stats, logs and queued runs, and the tokens it owns. It returns NotFound if
// the application does not exist.
func (db *DB) DeleteApplication(ctx context.Context, id string) error {
	err := db.remove(ctx, func(ctx context.Context, tx *Tx) error {
		return deleteApplication(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete application %s: %w", id, err)
	}
	return nil
}

func errApplicationNotFound() error {
	return weir.Errorf(weir.NotFound, "Application was not found")
}

func findApplicationByID(ctx context.Context, tx *sql.Tx, id string) (*weir.Application, error) {
	return findApplication(ctx, tx, "id", id)
}

// findApplication returns the application whose column (id or
// endpoint_slug) is value, or NotFound.
func findApplication(ctx context.Context, tx *sql.Tx, column, value string) (*weir.Application, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications WHERE `+column+` = ?`, value)
	a, err := scanApplication(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errApplicationNotFound()
	}
	return a, err
}

func findApplications(ctx context.Context, tx *sql.Tx, ownerID string, opts weir.ListOptions) ([]*weir.Application, int, error) {
	cond, args, tail, err := listQuery(opts)
	if err != nil {
		return nil, 0, err
	}
	if ownerID != "" {
		cond += " AND owner_id = ?"
		args = append(args, ownerID)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+applicationColumns+` FROM applications WHERE `+cond+tail,
		append(args, pageArgs(opts)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	as := []*weir.Application{}
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, 0, err
		}
		as = append(as, a)
	}
	return as, n, rows.Err()
}

func createApplication(ctx context.Context, tx *Tx, a *weir.Application) error {
	if a.ID == "" {
		a.ID = weir.NewID()
	}
	a.CreationDate, a.LastUpdated = tx.now, tx.now
	globals, err := marshal(a.Globals)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Name, a.Description, a.OwnerID, a.OwnerType, globals, millis(a.CreationDate), millis(a.LastUpdated),
		a.EndpointSlug, a.BlobURLTTL)
	switch {
	case isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return weir.Errorf(weir.Validation, "Application id %s is already in use", a.ID)
	case isUnique(err):
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	}
	return err
}

func updateApplication(ctx context.Context, tx *Tx, a *weir.Application) error {
	globals, err := marshal(a.Globals)
	if err != nil {
		return err
	}
	var created int64
	err = tx.QueryRowContext(ctx, `
		UPDATE applications
		SET name = ?, description = ?, owner_id = ?, owner_type = ?, globals = ?, last_updated = ?,
			endpoint_slug = ?, blob_url_ttl = ?
		WHERE id = ?
		RETURNING creation_date`,
		a.Name, a.Description, a.OwnerID, a.OwnerType, globals, millis(tx.now), a.EndpointSlug, a.BlobURLTTL, a.ID).Scan(&created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errApplicationNotFound()
	case isUnique(err):
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	case err != nil:
		return err
	}
	a.CreationDate, a.LastUpdated = fromMillis(created), tx.now
	return nil
}

func deleteApplication(ctx context.Context, tx *Tx, id string) error {
	flowIDs, err := flowIDsOf(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := sqlstore.DropApplicationDataTables(ctx, tx, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errApplicationNotFound()
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE owner_type = ? AND owner_id = ?`,
		weir.OwnerApplication, id); err != nil {
		return err
	}
	tx.OnCommit(func() { tx.db.queue.removeFlows(flowIDs...) })
	return nil
}

// flowIDsOf returns the ids of the application's flows.
func flowIDsOf(ctx context.Context, tx *Tx, applicationID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM flows WHERE application_id = ?`, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanApplication(s scanner) (*weir.Application, error) {
	var (
		a                    weir.Application
		globals              string
		created, lastUpdated int64
	)
	if err := s.Scan(&a.ID, &a.Name, &a.Description, &a.OwnerID, &a.OwnerType, &globals, &created, &lastUpdated,
		&a.EndpointSlug, &a.BlobURLTTL); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(globals), &a.Globals); err != nil {
		return nil, fmt.Errorf("decode globals: %w", err)
	}
	a.CreationDate, a.LastUpdated = fromMillis(created), fromMillis(lastUpdated)
	return &a, nil
}
