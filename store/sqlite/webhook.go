package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weirhq/weir"
)

const webhookColumns = `id, application_id, name, token, response_code, verification_type, verification_code,
	basic_auth_username, basic_auth_password, wait_for_reply, creation_date, last_updated`

// FindWebhookByID returns the application's webhook with id, or NotFound.
func (db *DB) FindWebhookByID(ctx context.Context, applicationID, id string) (*weir.Webhook, error) {
	var w *weir.Webhook
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		w, err = findWebhook(ctx, tx, `id = ? AND application_id = ?`, id, applicationID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find webhook %s: %w", id, err)
	}
	return w, nil
}

// FindWebhookByToken returns the webhook with token, or NotFound.
func (db *DB) FindWebhookByToken(ctx context.Context, token string) (*weir.Webhook, error) {
	var w *weir.Webhook
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		w, err = findWebhook(ctx, tx, `token = ?`, token)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find webhook by token: %w", err)
	}
	return w, nil
}

// FindWebhooks returns one page of the application's webhooks and the
// number matching the filter.
func (db *DB) FindWebhooks(ctx context.Context, filter weir.WebhookFilter) ([]*weir.Webhook, int, error) {
	var (
		ws []*weir.Webhook
		n  int
	)
	err := db.view(ctx, func(tx *sql.Tx) (err error) {
		ws, n, err = findWebhooks(ctx, tx, filter)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: find webhooks: %w", err)
	}
	return ws, n, nil
}

// CreateWebhook stores w, generating its ID and token when empty.
func (db *DB) CreateWebhook(ctx context.Context, w *weir.Webhook) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return createWebhook(ctx, tx, w)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	return nil
}

// UpdateWebhook replaces the webhook's settings; its token and creation date
// stay.
func (db *DB) UpdateWebhook(ctx context.Context, w *weir.Webhook) error {
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		return updateWebhook(ctx, tx, w)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update webhook %s: %w", w.ID, err)
	}
	return nil
}

// DeleteWebhook removes the application's webhook with id, or returns
// NotFound.
func (db *DB) DeleteWebhook(ctx context.Context, applicationID, id string) error {
	err := db.removeLast(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND application_id = ?`, id, applicationID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errWebhookNotFound()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete webhook %s: %w", id, err)
	}
	return nil
}

func errWebhookNotFound() error {
	return weir.Errorf(weir.NotFound, "Webhook was not found")
}

func findWebhook(ctx context.Context, tx querier, cond string, args ...any) (*weir.Webhook, error) {
	w, err := scanWebhook(tx.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errWebhookNotFound()
	}
	return w, err
}

func findWebhooks(ctx context.Context, tx *sql.Tx, filter weir.WebhookFilter) ([]*weir.Webhook, int, error) {
	cond, args, tail, err := listQuery(filter.ListOptions)
	if err != nil {
		return nil, 0, err
	}
	cond += " AND application_id = ?"
	args = append(args, filter.ApplicationID)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE `+cond, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+cond+tail,
		append(args, pageArgs(filter.ListOptions)...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ws := []*weir.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, 0, err
		}
		ws = append(ws, w)
	}
	return ws, n, rows.Err()
}

func createWebhook(ctx context.Context, tx *Tx, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM applications WHERE id = ?)`,
		w.ApplicationID).Scan(&exists); err != nil {
		return err
	} else if !exists {
		return errApplicationNotFound()
	}
	if w.ID == "" {
		w.ID = weir.NewID()
	}
	if w.Token == "" {
		w.Token = weir.NewWebhookToken()
	}
	w.CreationDate, w.LastUpdated = tx.now, tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (`+webhookColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.ApplicationID, w.Name, w.Token, w.ResponseCode, w.VerificationType, w.VerificationCode,
		w.BasicAuthUsername, w.BasicAuthPassword, w.WaitForReply, millis(w.CreationDate), millis(w.LastUpdated))
	switch {
	case isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return weir.Errorf(weir.Validation, "Webhook id %s is already in use", w.ID)
	case isUnique(err):
		return weir.Errorf(weir.Validation, "Webhook token is already in use")
	}
	return err
}

func updateWebhook(ctx context.Context, tx *Tx, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	old, err := findWebhook(ctx, tx, `id = ? AND application_id = ?`, w.ID, w.ApplicationID)
	if err != nil {
		return err
	}
	w.Token, w.CreationDate, w.LastUpdated = old.Token, old.CreationDate, tx.now
	_, err = tx.ExecContext(ctx, `
		UPDATE webhooks
		SET name = ?, response_code = ?, verification_type = ?, verification_code = ?, basic_auth_username = ?,
			basic_auth_password = ?, wait_for_reply = ?, last_updated = ?
		WHERE id = ?`,
		w.Name, w.ResponseCode, w.VerificationType, w.VerificationCode, w.BasicAuthUsername,
		w.BasicAuthPassword, w.WaitForReply, millis(w.LastUpdated), w.ID)
	return err
}

func scanWebhook(s scanner) (*weir.Webhook, error) {
	var (
		w                weir.Webhook
		created, updated int64
	)
	if err := s.Scan(&w.ID, &w.ApplicationID, &w.Name, &w.Token, &w.ResponseCode, &w.VerificationType,
		&w.VerificationCode, &w.BasicAuthUsername, &w.BasicAuthPassword, &w.WaitForReply, &created,
		&updated); err != nil {
		return nil, err
	}
	w.CreationDate, w.LastUpdated = fromMillis(created), fromMillis(updated)
	return &w, nil
}

var _ weir.WebhookService = (*DB)(nil)
