package sqlite

import (
	"context"

	"github.com/weirhq/weir"
)

// RunQueueStats counts the queued runs from memory: those leased are
// running, the others waiting.
func (db *DB) RunQueueStats(ctx context.Context) (weir.QueueStats, error) {
	return db.queue.stats(), nil
}

// stats counts the runs waiting and leased and finds the oldest waiting.
func (q *runQueue) stats() weir.QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	var s weir.QueueStats
	for _, e := range q.runs {
		if e.leased {
			s.Running++
			continue
		}
		s.Waiting++
		if s.OldestWaiting.IsZero() || e.run.Time.Before(s.OldestWaiting) {
			s.OldestWaiting = e.run.Time
		}
	}
	return s
}

var _ weir.QueueStatter = (*DB)(nil)
