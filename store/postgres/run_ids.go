package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/weirhq/weir"
)

// RunIDWindow is how long EnqueueRun remembers an enqueued run's id after
// it completed: longer than every process takes to fire a timer tick.
const RunIDWindow = 10 * time.Minute

// pruneRunIDsEvery is how many enqueues pass, on average, between two
// deletions of the ids older than RunIDWindow.
const pruneRunIDsEvery = 1000

// enqueueSQL remembers the run id ($1) and queues the run, unless the id was
// enqueued within RunIDWindow ($4, in seconds); then it changes nothing and
// affects no row.
var enqueueSQL = `
	WITH fresh AS (` + freshRunID(`VALUES ($1)`, `$4`) + `)
	INSERT INTO runs (id, flow_id, body) SELECT id, $2, $3 FROM fresh`

// freshRunID returns an INSERT of the run id that rows selects into
// enqueued_runs, returning it unless it was enqueued within the window
// (seconds, a parameter placeholder); then it returns nothing.
func freshRunID(rows, window string) string {
	return `INSERT INTO enqueued_runs (id) ` + rows + `
		ON CONFLICT (id) DO UPDATE SET time = now()
		WHERE enqueued_runs.time < now() - ` + window + `::double precision * interval '1 second'
		RETURNING id`
}

// errRunQueued is the error of an enqueue of a run id seen lately.
func errRunQueued(id string) error {
	return weir.Errorf(weir.Validation, "Run id %s is already queued", id)
}

// maybePruneRunIDs deletes, now and then, the ids older than RunIDWindow.
func (db *DB) maybePruneRunIDs(ctx context.Context) error {
	if rand.IntN(pruneRunIDsEvery) != 0 {
		return nil
	}
	_, err := db.pool.Exec(ctx, `DELETE FROM enqueued_runs WHERE time < now() - $1::double precision * interval '1 second'`,
		RunIDWindow.Seconds())
	if err != nil {
		return fmt.Errorf("postgres: prune run ids: %w", err)
	}
	return nil
}
