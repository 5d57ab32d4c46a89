package weir

import (
	"context"
	"time"
)

// RunRecorder records the outcome of runs that a queue outside the store
// dispatches (NATS JetStream), so that a run delivered twice is recorded
// once. Stores implement it next to their own RunQueue.
type RunRecorder interface {
	// RecordRun stores entry for run, counts it in the flow's stats and
	// forgets what the store kept to make the run's storage writes
	// idempotent, all at once and at most once per run ID: when run was
	// already recorded it changes nothing and returns nil. With a nil entry,
	// or when the run's flow was deleted meanwhile, it only marks run as
	// recorded.
	RecordRun(ctx context.Context, run *Run, entry *LogEntry) error

	// RunRecorded reports whether RecordRun recorded runID. Stores remember
	// recorded runs for at least RecordedRunRetention.
	RunRecorded(ctx context.Context, runID string) (bool, error)
}

// RecordedRunRetention is how long a store must remember that a run was
// recorded: longer than any queue takes to redeliver an unacknowledged run.
const RecordedRunRetention = time.Hour
