package postgres

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
	if !before.IsZero() {
		tag, err := db.pool.Exec(ctx, `DELETE FROM logs WHERE time < $1`, before)
		if err != nil {
			return 0, fmt.Errorf("postgres: prune logs: %w", err)
		}
		n += tag.RowsAffected()
	}
	if keepPerFlow > 0 {
		tag, err := db.pool.Exec(ctx, `DELETE FROM logs WHERE seq IN (
			SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY flow_id ORDER BY seq DESC) AS rn FROM logs) ranked
			WHERE rn > $1)`, keepPerFlow)
		if err != nil {
			return 0, fmt.Errorf("postgres: prune logs: %w", err)
		}
		n += tag.RowsAffected()
	}
	return int(n), nil
}

var _ weir.LogPruner = (*DB)(nil)
