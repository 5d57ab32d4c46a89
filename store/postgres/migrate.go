package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate creates the schema when missing and applies, in one transaction,
// every embedded migration not yet recorded in schema_migrations, in file
// name order. A transaction-scoped advisory lock on the schema makes
// processes opening at once take turns: the first migrates, the others find
// nothing left to do.
func (db *DB) migrate(ctx context.Context) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey(db.Schema)); err != nil {
			return err
		}
		// CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when
		// the schema exists, so look first.
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`,
			db.Schema).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA `+quoteIdent(db.Schema)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+quoteIdent(db.Schema)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			name       text PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		applied := map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT name FROM schema_migrations`)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, name := range names {
			applied[name] = true
		}
		return applyMigrations(ctx, tx, applied)
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate schema %s: %w", db.Schema, err)
	}
	return nil
}

// applyMigrations runs the embedded migrations missing from applied.
func applyMigrations(ctx context.Context, tx pgx.Tx, applied map[string]bool) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if applied[name] {
			continue
		}
		buf, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, string(buf)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// migrationLockKey returns the advisory lock key guarding the migration of
// schema.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("weir migrate " + schema))
	return int64(h.Sum64())
}
