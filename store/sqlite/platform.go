package sqlite

import (
	"context"
	"database/sql"
	"time"

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
	})
}
