package postgres

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

// platform returns the shared store of the platform resources (devices,
// state, commands, access keys) over this database's pool, through
// database/sql (db.sdb, which Close closes).
func (db *DB) platform() *sqlstore.Store {
	sdb := stdlib.OpenDBFromPool(db.pool.Pool)
	db.sdb = sdb
	return sqlstore.New(sqlstore.Dialect{
		View: func(ctx context.Context, fn func(q sqlstore.Querier) error) error {
			return inSQLTx(ctx, sdb, &sql.TxOptions{ReadOnly: true}, func(tx *sql.Tx) error { return fn(rebinder{tx}) })
		},
		Update: func(ctx context.Context, fn func(q sqlstore.Querier, now time.Time) error) error {
			now := db.now()
			return inSQLTx(ctx, sdb, nil, func(tx *sql.Tx) error { return fn(rebinder{tx}, now) })
		},
		Fold:         func(expr string) string { return `lower(` + expr + `) COLLATE "C"` },
		Bytewise:     func(expr string) string { return expr + ` COLLATE "C"` },
		IsUnique:     isUnique,
		IsForeignKey: isForeignKey,
		ColumnType:   columnType,
		Position:     func(text, needle string) string { return "strpos(" + text + ", " + needle + ")" },
		Lock: func(exclusive bool) string {
			if exclusive {
				return " FOR UPDATE"
			}
			return " FOR SHARE"
		},
		Serialize: `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
	})
}

// columnType is the SQL type of a data table column: text compares
// byte-wise (COLLATE "C"), as in SQLite.
func columnType(dataType string) string {
	switch dataType {
	case weir.ColumnNumber:
		return "double precision"
	case weir.ColumnBoolean:
		return "boolean"
	}
	return `text COLLATE "C"`
}

// inSQLTx runs fn in a transaction of sdb, committed when fn returns nil.
// Errors pass through typed.
func inSQLTx(ctx context.Context, sdb *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := sdb.BeginTx(ctx, opts)
	if err != nil {
		return typed(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return typed(err)
	}
	return typed(tx.Commit())
}

// rebinder runs the shared statements, written with ? placeholders, as
// PostgreSQL's $n.
type rebinder struct{ tx *sql.Tx }

func (r rebinder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return r.tx.ExecContext(ctx, rebind(q), args...)
}

func (r rebinder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.tx.QueryContext(ctx, rebind(q), args...)
}

func (r rebinder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, rebind(q), args...)
}

// rebind replaces each ? of q with $1, $2, …; the shared statements hold
// no ? inside literals.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
