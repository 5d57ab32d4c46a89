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

const tokenColumns = `id, owner_id, owner_type, name, description, scope, status, expiration_date,
	creator_id, creator_type, creator_name, creation_date, last_updated`

// FindTokenByID returns NotFound if there is no token with id.
func (db *DB) FindTokenByID(ctx context.Context, id string) (*weir.Token, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = errTokenNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find token %s: %w", id, err)
	}
	return t, nil
}

// FindTokens returns one page of tokens and the number matching the filter;
// an empty OwnerID or OwnerType matches any.
func (db *DB) FindTokens(ctx context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	q := listQuery{table: "tokens", columns: tokenColumns, opts: filter.ListOptions}
	if filter.OwnerID != "" {
		q.where = append(q.where, "owner_id = "+q.args.add(filter.OwnerID))
	}
	if filter.OwnerType != "" {
		q.where = append(q.where, "owner_type = "+q.args.add(filter.OwnerType))
	}
	ts, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.Token, error) {
		return scanToken(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find tokens: %w", err)
	}
	return ts, n, nil
}

// CreateToken stores t and sets its ID (when empty) and dates. It returns
// Validation if the ID is taken.
func (db *DB) CreateToken(ctx context.Context, t *weir.Token) error {
	if err := db.createToken(ctx, t); err != nil {
		return fmt.Errorf("postgres: create token: %w", err)
	}
	return nil
}

// UpdateToken replaces the stored record and sets LastUpdated; CreationDate
// keeps its stored value. It returns NotFound if the token does not exist.
func (db *DB) UpdateToken(ctx context.Context, t *weir.Token) error {
	if err := db.updateToken(ctx, t); err != nil {
		return fmt.Errorf("postgres: update token %s: %w", t.ID, err)
	}
	return nil
}

// DeleteToken removes the record. It returns NotFound if it does not exist.
func (db *DB) DeleteToken(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = errTokenNotFound()
	}
	if err != nil {
		return fmt.Errorf("postgres: delete token %s: %w", id, err)
	}
	return nil
}

func errTokenNotFound() error {
	return weir.Errorf(weir.NotFound, "API token was not found")
}

func (db *DB) createToken(ctx context.Context, t *weir.Token) error {
	scope, expires, err := encodeToken(t)
	if err != nil {
		return err
	}
	id := t.ID
	if id == "" {
		id = weir.NewID()
	}
	now := db.now()
	_, err = db.pool.Exec(ctx, `INSERT INTO tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, t.OwnerID, t.OwnerType, t.Name, t.Description, scope, t.Status, expires,
		t.CreatorID, t.CreatorType, t.CreatorName, now, now)
	if isUnique(err) {
		return weir.Errorf(weir.Validation, "API token id %s is already in use", id)
	} else if err != nil {
		return err
	}
	t.ID, t.CreationDate, t.LastUpdated = id, now, now
	return nil
}

func (db *DB) updateToken(ctx context.Context, t *weir.Token) error {
	scope, expires, err := encodeToken(t)
	if err != nil {
		return err
	}
	now := db.now()
	var created time.Time
	err = db.pool.QueryRow(ctx, `
		UPDATE tokens
		SET owner_id = $1, owner_type = $2, name = $3, description = $4, scope = $5, status = $6,
			expiration_date = $7, creator_id = $8, creator_type = $9, creator_name = $10, last_updated = $11
		WHERE id = $12
		RETURNING creation_date`,
		t.OwnerID, t.OwnerType, t.Name, t.Description, scope, t.Status, expires,
		t.CreatorID, t.CreatorType, t.CreatorName, now, t.ID).Scan(&created)
	if errors.Is(err, pgx.ErrNoRows) {
		return errTokenNotFound()
	} else if err != nil {
		return err
	}
	t.CreationDate, t.LastUpdated = created.UTC(), now
	return nil
}

// encodeToken returns the scope and expiration columns of t.
func encodeToken(t *weir.Token) (scope string, expires *time.Time, err error) {
	if scope, err = marshal(t.Scope); err != nil {
		return "", nil, fmt.Errorf("encode scope: %w", err)
	}
	if t.ExpirationDate != nil {
		e := ms(*t.ExpirationDate)
		expires = &e
	}
	return scope, expires, nil
}

func scanToken(s scanner) (*weir.Token, error) {
	var (
		t     weir.Token
		scope string
	)
	if err := s.Scan(&t.ID, &t.OwnerID, &t.OwnerType, &t.Name, &t.Description, &scope, &t.Status,
		&t.ExpirationDate, &t.CreatorID, &t.CreatorType, &t.CreatorName, &t.CreationDate, &t.LastUpdated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scope), &t.Scope); err != nil {
		return nil, fmt.Errorf("decode scope: %w", err)
	}
	if t.ExpirationDate != nil {
		*t.ExpirationDate = t.ExpirationDate.UTC()
	}
	t.CreationDate, t.LastUpdated = t.CreationDate.UTC(), t.LastUpdated.UTC()
	return &t, nil
}
