package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// RunQueueStats counts the queued runs: those under a live lease are
// running, the others waiting; the oldest waiting is the first in
// acceptance order. It reads the whole runs table (at most MaxQueued rows).
func (db *DB) RunQueueStats(ctx context.Context) (weir.QueueStats, error) {
	var (
		s    weir.QueueStats
		body *string
	)
	err := db.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE leased_until IS NULL OR leased_until <= now()),
			count(*) FILTER (WHERE leased_until > now()),
			(SELECT body FROM runs WHERE leased_until IS NULL OR leased_until <= now() ORDER BY seq LIMIT 1)
		FROM runs`).Scan(&s.Waiting, &s.Running, &body)
	if err != nil {
		return s, fmt.Errorf("postgres: run queue stats: %w", err)
	}
	if body != nil {
		var run struct{ Time time.Time }
		if err := json.Unmarshal([]byte(*body), &run); err != nil {
			return s, fmt.Errorf("postgres: run queue stats: %w", err)
		}
		s.OldestWaiting = run.Time
	}
	return s, nil
}

var _ weir.QueueStatter = (*DB)(nil)
