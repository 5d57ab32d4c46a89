package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

const webhookColumns = `id, application_id, name, token, response_code, verification_type, verification_code,
	basic_auth_username, basic_auth_password, wait_for_reply, creation_date, last_updated`

// FindWebhookByID returns the application's webhook with id, or NotFound.
func (db *DB) FindWebhookByID(ctx context.Context, applicationID, id string) (*weir.Webhook, error) {
	w, err := db.findWebhook(ctx, `id = $1 AND application_id = $2`, id, applicationID)
	if err != nil {
		return nil, fmt.Errorf("postgres: find webhook %s: %w", id, err)
	}
	return w, nil
}

// FindWebhookByToken returns the webhook with token, in any application, or
// NotFound.
func (db *DB) FindWebhookByToken(ctx context.Context, token string) (*weir.Webhook, error) {
	w, err := db.findWebhook(ctx, `token = $1`, token)
	if err != nil {
		return nil, fmt.Errorf("postgres: find webhook by token: %w", err)
	}
	return w, nil
}

// FindWebhooks returns one page of the application's webhooks and the
// number matching the filter.
func (db *DB) FindWebhooks(ctx context.Context, filter weir.WebhookFilter) ([]*weir.Webhook, int, error) {
	q := listQuery{table: "webhooks", columns: webhookColumns, opts: filter.ListOptions}
	q.where = append(q.where, "application_id = "+q.args.add(filter.ApplicationID))
	ws, n, err := findList(ctx, db, q, func(row pgx.CollectableRow) (*weir.Webhook, error) {
		return scanWebhook(row)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: find webhooks: %w", err)
	}
	return ws, n, nil
}

// CreateWebhook stores w, generating its ID and token when empty. It
// returns Validation for an invalid webhook or a taken ID or token, and
// NotFound if the application does not exist.
func (db *DB) CreateWebhook(ctx context.Context, w *weir.Webhook) error {
	if err := db.createWebhook(ctx, w); err != nil {
		return fmt.Errorf("postgres: create webhook: %w", err)
	}
	return nil
}

// UpdateWebhook replaces the webhook's settings; its token and creation date
// stay. It returns NotFound unless the application has the webhook.
func (db *DB) UpdateWebhook(ctx context.Context, w *weir.Webhook) error {
	if err := db.updateWebhook(ctx, w); err != nil {
		return fmt.Errorf("postgres: update webhook %s: %w", w.ID, err)
	}
	return nil
}

// DeleteWebhook removes the application's webhook with id, or returns
// NotFound.
func (db *DB) DeleteWebhook(ctx context.Context, applicationID, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1 AND application_id = $2`, id, applicationID)
	if err == nil && tag.RowsAffected() == 0 {
		err = errWebhookNotFound()
	}
	if err != nil {
		return fmt.Errorf("postgres: delete webhook %s: %w", id, err)
	}
	return nil
}

func errWebhookNotFound() error {
	return weir.Errorf(weir.NotFound, "Webhook was not found")
}

// findWebhook returns the webhook matching cond, or NotFound.
func (db *DB) findWebhook(ctx context.Context, cond string, args ...any) (*weir.Webhook, error) {
	w, err := scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+cond, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errWebhookNotFound()
	}
	return w, err
}

// createWebhook inserts w in one statement that selects its application, so
// a missing application inserts nothing and reports NotFound before any
// taken ID or token.
func (db *DB) createWebhook(ctx context.Context, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	id, token := w.ID, w.Token
	if id == "" {
		id = weir.NewID()
	}
	if token == "" {
		token = weir.NewWebhookToken()
	}
	now := db.now()
	tag, err := db.pool.Exec(ctx, `INSERT INTO webhooks (`+webhookColumns+`)
		SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11 FROM applications WHERE id = $2`,
		id, w.ApplicationID, w.Name, token, w.ResponseCode, w.VerificationType, w.VerificationCode,
		w.BasicAuthUsername, w.BasicAuthPassword, w.WaitForReply, now)
	switch {
	case err == nil && tag.RowsAffected() == 0, isForeignKey(err):
		return errApplicationNotFound()
	case isUnique(err) && pgConstraint(err) == "webhooks_token":
		return weir.Errorf(weir.Validation, "Webhook token is already in use")
	case isUnique(err):
		return weir.Errorf(weir.Validation, "Webhook id %s is already in use", id)
	case err != nil:
		return err
	}
	w.ID, w.Token, w.CreationDate, w.LastUpdated = id, token, now, now
	return nil
}

func (db *DB) updateWebhook(ctx context.Context, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	now := db.now()
	var (
		token   string
		created time.Time
	)
	err := db.pool.QueryRow(ctx, `
		UPDATE webhooks
		SET name = $1, response_code = $2, verification_type = $3, verification_code = $4,
			basic_auth_username = $5, basic_auth_password = $6, wait_for_reply = $7, last_updated = $8
		WHERE id = $9 AND application_id = $10
		RETURNING token, creation_date`,
		w.Name, w.ResponseCode, w.VerificationType, w.VerificationCode, w.BasicAuthUsername,
		w.BasicAuthPassword, w.WaitForReply, now, w.ID, w.ApplicationID).Scan(&token, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return errWebhookNotFound()
	} else if err != nil {
		return err
	}
	w.Token, w.CreationDate, w.LastUpdated = token, created.UTC(), now
	return nil
}

func scanWebhook(s scanner) (*weir.Webhook, error) {
	var w weir.Webhook
	if err := s.Scan(&w.ID, &w.ApplicationID, &w.Name, &w.Token, &w.ResponseCode, &w.VerificationType,
		&w.VerificationCode, &w.BasicAuthUsername, &w.BasicAuthPassword, &w.WaitForReply, &w.CreationDate,
		&w.LastUpdated); err != nil {
		return nil, err
	}
	w.CreationDate, w.LastUpdated = w.CreationDate.UTC(), w.LastUpdated.UTC()
	return &w, nil
}

var _ weir.WebhookService = (*DB)(nil)
