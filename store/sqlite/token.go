package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

const tokenColumns = `id, owner_id, owner_type, name, description, scope, status, expiration_date,
	creator_id, creator_type, creator_name, creation_date, last_updated`

// FindTokenByID returns NotFound if there is no token with id.
func (db *DB) FindTokenByID(ctx context.Context, id string) (*weir.Token, error) {
	var t *weir.Token
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		t, err = findTokenByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find token %s: %w", id, err)
	}
	return t, nil
}

// FindTokens returns one page of tokens and the number matching the filter;
// an empty OwnerID or OwnerType matches any.
func (db *DB) FindTokens(ctx context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	var (
		ts []*weir.Token
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		ts, n, err = findTokens(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find tokens: %w", err)
	}
	return ts, n, nil
}

// CreateToken stores t and sets its ID (when empty) and dates. It returns
// Validation if the ID is taken.
func (db *DB) CreateToken(ctx context.Context, t *weir.Token) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createToken(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create token: %w", err)
	}
	return nil
}

// UpdateToken replaces the stored record and sets LastUpdated; CreationDate
// keeps its stored value. It returns NotFound if the token does not exist.
func (db *DB) UpdateToken(ctx context.Context, t *weir.Token) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return updateToken(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update token %s: %w", t.ID, err)
	}
	return nil
}

// DeleteToken removes the record. It returns NotFound if it does not exist.
func (db *DB) DeleteToken(ctx context.Context, id string) error {
	err := db.remove(ctx, func(ctx context.Context, tx *Tx) error {
		return deleteToken(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete token %s: %w", id, err)
	}
	return nil
}

func errTokenNotFound() error {
	return weir.Errorf(weir.NotFound, "API token was not found")
}

func findTokenByID(ctx context.Context, tx *sql.Tx, id string) (*weir.Token, error) {
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTokenNotFound()
	}
	return t, err
}

func findTokens(ctx context.Context, tx *sql.Tx, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	cond, args, tail, err := listQuery(filter.ListOptions)
	if err != nil {
		return nil, 0, err
	}
	if filter.OwnerID != "" {
		cond += " AND owner_id = ?"
		args = append(args, filter.OwnerID)
	}
	if filter.OwnerType != "" {
		cond += " AND owner_type = ?"
		args = append(args, filter.OwnerType)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE `+cond+tail,
		append(args, pageArgs(filter.ListOptions)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ts := []*weir.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, 0, err
		}
		ts = append(ts, t)
	}
	return ts, n, rows.Err()
}

func createToken(ctx context.Context, tx *Tx, t *weir.Token) error {
	if t.ID == "" {
		t.ID = weir.NewID()
	}
	t.CreationDate, t.LastUpdated = tx.now, tx.now
	scope, expires, err := encodeToken(t)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.OwnerID, t.OwnerType, t.Name, t.Description, scope, t.Status, expires,
		t.CreatorID, t.CreatorType, t.CreatorName, millis(t.CreationDate), millis(t.LastUpdated))
	if isUnique(err) {
		return weir.Errorf(weir.Validation, "API token id %s is already in use", t.ID)
	}
	return err
}

func updateToken(ctx context.Context, tx *Tx, t *weir.Token) error {
	scope, expires, err := encodeToken(t)
	if err != nil {
		return err
	}
	var created int64
	err = tx.QueryRowContext(ctx, `
		UPDATE tokens
		SET owner_id = ?, owner_type = ?, name = ?, description = ?, scope = ?, status = ?,
			expiration_date = ?, creator_id = ?, creator_type = ?, creator_name = ?, last_updated = ?
		WHERE id = ?
		RETURNING creation_date`,
		t.OwnerID, t.OwnerType, t.Name, t.Description, scope, t.Status, expires,
		t.CreatorID, t.CreatorType, t.CreatorName, millis(tx.now), t.ID).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return errTokenNotFound()
	} else if err != nil {
		return err
	}
	t.CreationDate, t.LastUpdated = fromMillis(created), tx.now
	return nil
}

func deleteToken(ctx context.Context, tx *Tx, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errTokenNotFound()
	}
	return nil
}

// encodeToken returns the scope and expiration columns of t.
func encodeToken(t *weir.Token) (scope string, expires *int64, err error) {
	if scope, err = marshal(t.Scope); err != nil {
		return "", nil, fmt.Errorf("encode scope: %w", err)
	}
	if t.ExpirationDate != nil {
		ms := millis(*t.ExpirationDate)
		expires = &ms
	}
	return scope, expires, nil
}

func scanToken(s scanner) (*weir.Token, error) {
	var (
		t                weir.Token
		scope            string
		expires          *int64
		created, updated int64
	)
	if err := s.Scan(&t.ID, &t.OwnerID, &t.OwnerType, &t.Name, &t.Description, &scope, &t.Status, &expires,
		&t.CreatorID, &t.CreatorType, &t.CreatorName, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scope), &t.Scope); err != nil {
		return nil, fmt.Errorf("decode scope: %w", err)
	}
	if expires != nil {
		t.ExpirationDate = new(time.Time)
		*t.ExpirationDate = fromMillis(*expires)
	}
	t.CreationDate, t.LastUpdated = fromMillis(created), fromMillis(updated)
	return &t, nil
}
