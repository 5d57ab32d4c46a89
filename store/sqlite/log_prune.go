package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// PruneLogEntries deletes entries older than before and, per flow, all but
// the newest keepPerFlow.
func (db *DB) PruneLogEntries(ctx context.Context, keepPerFlow int, before time.Time) (int, error) {
	var n int64
	err := db.remove(ctx, func(ctx context.Context, tx *Tx) error {
		if !before.IsZero() {
			res, err := tx.ExecContext(ctx, `DELETE FROM logs WHERE time < ?`, before.UnixMilli())
			if err != nil {
				return err
			}
			d, _ := res.RowsAffected()
			n += d
		}
		if keepPerFlow > 0 {
			res, err := tx.ExecContext(ctx, `DELETE FROM logs WHERE seq IN (
				SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY flow_id ORDER BY seq DESC) AS rn FROM logs)
				WHERE rn > ?)`, keepPerFlow)
			if err != nil {
				return err
			}
			d, _ := res.RowsAffected()
			n += d
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune logs: %w", err)
	}
	return int(n), nil
}

var _ weir.LogPruner = (*DB)(nil)
