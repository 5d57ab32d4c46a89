package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// Exists reports whether schema of the database at dsn holds a weir
// instance: weir's tables, with the owner recorded. It creates nothing.
func Exists(ctx context.Context, dsn, schema string) (bool, error) {
	if schema == "" {
		schema = DefaultSchema
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return false, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	cfg.RuntimeParams["search_path"] = quoteIdent(schema)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	var ok bool
	err = conn.QueryRow(ctx, `SELECT to_regclass('settings') IS NOT NULL`).Scan(&ok)
	if err != nil || !ok {
		return false, err
	}
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE name = $1)`, weir.SettingOwnerID).Scan(&ok)
	return ok, err
}
