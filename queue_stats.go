package weir

import (
	"context"
	"time"
)

// QueueStats describes the runs a run queue holds.
type QueueStats struct {
	Waiting       int       // accepted and not yet handed to an executor
	Running       int       // handed to an executor and not yet completed
	OldestWaiting time.Time // acceptance time of the oldest waiting run; zero when none waits
}

// QueueStatter reports on a run queue, for monitoring.
type QueueStatter interface {
	// RunQueueStats counts the queue's runs. It reads the whole queue, so
	// call it seldom (a metrics scrape), not per run.
	RunQueueStats(ctx context.Context) (QueueStats, error)
}
