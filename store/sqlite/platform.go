package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

// platform returns the shared store of the platform resources (devices,
// state, commands, access keys) over this database: reads on the read pool,
// writes in the writer's batches.
func (db *DB) platform() *sqlstore.Store {
	return sqlstore.New(sqlstore.Dialect{
		View: func(ctx context.Context, fn func(q sqlstore.Querier) error) error {
			return db.view(ctx, func(tx *sql.Tx) error { return fn(tx) })
		},
		Update: func(ctx context.Context, fn func(q sqlstore.Querier, now time.Time) error) error {
			return db.update(ctx, func(ctx context.Context, tx *Tx) error { return fn(tx, tx.now) })
		},
		Fold:         func(expr string) string { return expr + " COLLATE NOCASE" },
		Bytewise:     func(expr string) string { return expr },
		IsUnique:     isUnique,
		IsForeignKey: isForeignKey,
		ColumnType:   columnType,
		Position:     func(text, needle string) string { return "instr(" + text + ", " + needle + ")" },
		Lock:         func(bool) string { return "" },
	})
}

// columnType is the SQL type of a data table column: text compares
// byte-wise (BINARY), booleans are 0 and 1.
func columnType(dataType string) string {
	switch dataType {
	case weir.ColumnNumber:
		return "REAL"
	case weir.ColumnBoolean:
		return "INTEGER"
	}
	return "TEXT"
}
