// Package queuetest is the conformance suite of run dispatch: every
// weir.RunQueue (the stores' own queues, NATS JetStream) must pass it. Call
// Run from the implementation's tests with a function setting up a Target.
package queuetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// Target is one queue implementation under test, set up afresh (empty) for
// each subtest.
type Target struct {
	// Open opens a handle on the subtest's runs. A handle opened after
	// another was closed sees the runs that one left, like a restarted
	// process. Handles still open when the subtest ends are closed by Open's
	// own cleanup.
	Open func(t *testing.T) weir.RunQueue

	// Close closes a handle without completing its claimed runs, as a
	// process stopping does. It may be called again by the cleanup.
	Close func(q weir.RunQueue) error

	// NewRun returns a run, without ID, that the queue accepts (of a flow
	// that exists, for the stores).
	NewRun func(t *testing.T) *weir.Run

	// Redelivery bounds how long after its claim a run that is neither
	// completed nor released is offered again (its lease).
	Redelivery time.Duration

	// Shared reports that several handles may be open at once on the same
	// runs, as several processes share one queue.
	Shared bool

	// MaxQueued is the number of waiting runs past which EnqueueRun returns
	// Unavailable; 0 when the queue has no bound.
	MaxQueued int

	// NewOtherRun returns a run, without ID, of another flow of another
	// application than NewRun's. Needed by the tests of queues that are
	// weir.FairRunQueue.
	NewOtherRun func(t *testing.T) *weir.Run

	// Kill closes a handle as a killed process leaves it: its claimed runs
	// neither completed nor released, nothing recorded on the way out. Nil
	// when Close does just that.
	Kill func(q weir.RunQueue) error

	// EnqueueUndecodable stores run (with its ID set) through q's backing
	// store in a form the queue cannot decode (a field of the wrong type),
	// its id, applicationId and flowId fields intact.
	EnqueueUndecodable func(t *testing.T, q weir.RunQueue, run *weir.Run)

	// AttemptsSurviveReopen reports that Attempt counts the deliveries made
	// before the queue was closed and opened again; otherwise it counts only
	// the deliveries since the queue was opened.
	AttemptsSurviveReopen bool
}

// Run runs the suite. setup must return a Target over a new, empty queue
// for each call.
//
// Besides weir.RunQueue's contract, the suite pins down: EnqueueRun sets an
// ID when the run has none; a run enqueued again with the ID of a waiting run
// is delivered once (EnqueueRun may refuse it with Validation or accept it
// silently); a claimer alone receives runs it never saw in enqueue order;
// first deliveries have Attempt 0, later ones count the earlier deliveries,
// those to a process that was killed included (so that the executor can
// give up on a run that kills its process, see weir.MaxRunAttempts); a
// stored run that does not decode is handed out with DecodeError set instead
// of failing claims or the queue's opening.
func Run(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("Delivery", func(t *testing.T) { testDelivery(t, setup) })
	t.Run("Redelivery", func(t *testing.T) { testRedelivery(t, setup) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, setup) })
	t.Run("Order", func(t *testing.T) { testOrder(t, setup) })
	t.Run("Limit", func(t *testing.T) { testLimit(t, setup) })
	t.Run("Stats", func(t *testing.T) { testStats(t, setup) })
	t.Run("Poison", func(t *testing.T) { testPoison(t, setup) })
	t.Run("Skip", func(t *testing.T) { testSkip(t, setup) })
}

// mustEnqueue enqueues a new run of tg carrying data {"n": n} and returns it.
func mustEnqueue(t *testing.T, tg *Target, q weir.RunQueue, n int) *weir.Run {
	t.Helper()
	r := tg.NewRun(t)
	r.Data = json.RawMessage(fmt.Sprintf(`{"n": %d}`, n))
	if err := q.EnqueueRun(t.Context(), r); err != nil {
		t.Fatalf("EnqueueRun: %v", err)
	}
	if r.ID == "" {
		t.Fatal("EnqueueRun left the run's ID empty")
	}
	return r
}

// claim calls ClaimRuns with a deadline of d.
func claim(t *testing.T, q weir.RunQueue, n int, d time.Duration) ([]*weir.Run, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return q.ClaimRuns(ctx, n)
}

// mustClaim claims up to n runs within 10 seconds.
func mustClaim(t *testing.T, q weir.RunQueue, n int) []*weir.Run {
	t.Helper()
	runs, err := claim(t, q, n, 10*time.Second)
	if err != nil {
		t.Fatalf("ClaimRuns(%d): %v", n, err)
	}
	if len(runs) == 0 || len(runs) > max(n, 1) {
		t.Fatalf("ClaimRuns(%d) = %d runs", n, len(runs))
	}
	return runs
}

// mustComplete completes run with a log entry.
func mustComplete(t *testing.T, q weir.RunQueue, r *weir.Run) {
	t.Helper()
	if err := q.CompleteRun(t.Context(), r, entryFor(r)); err != nil {
		t.Fatalf("CompleteRun %s: %v", r.ID, err)
	}
}

// entryFor returns a log entry for a successful run of r.
func entryFor(r *weir.Run) *weir.LogEntry {
	return &weir.LogEntry{
		ApplicationID: r.ApplicationID, FlowID: r.FlowID, FlowVersion: weir.DevelopVersion,
		FlowVersionID: weir.DevelopVersion, Time: time.Now().UTC().Truncate(time.Millisecond),
		RunCount: 1, PathsCompleted: 1,
	}
}

// checkEmpty fails t if a run can be claimed within wait.
func checkEmpty(t *testing.T, q weir.RunQueue, wait time.Duration) {
	t.Helper()
	runs, err := claim(t, q, 100, wait)
	if !errors.Is(err, context.DeadlineExceeded) {
		ids := make([]string, len(runs))
		for i, r := range runs {
			ids[i] = fmt.Sprintf("%s (attempt %d)", r.ID, r.Attempt)
		}
		t.Fatalf("ClaimRuns on an empty queue = %v, %v; want context.DeadlineExceeded", ids, err)
	}
}

// closer closes a handle once.
func closer(tg *Target, q weir.RunQueue) func() {
	var once sync.Once
	return func() { once.Do(func() { _ = tg.Close(q) }) }
}

// checkRun fails t unless got is want delivered with the given attempt.
func checkRun(t *testing.T, got, want *weir.Run, attempt int) {
	t.Helper()
	if got.ID != want.ID {
		t.Fatalf("claimed run %s, want %s", got.ID, want.ID)
	}
	if got.Attempt != attempt {
		t.Fatalf("run %s delivered with Attempt %d, want %d", got.ID, got.Attempt, attempt)
	}
	w := *want
	w.Attempt = attempt
	if got.FlowID != w.FlowID || got.ApplicationID != w.ApplicationID || got.TriggerKey != w.TriggerKey ||
		!got.Time.Equal(w.Time) || compact(got.Data) != compact(w.Data) {
		t.Fatalf("claimed run = %+v, want %+v", got, &w)
	}
}

// compact returns JSON text without insignificant whitespace.
func compact(m json.RawMessage) string {
	var v any
	if err := json.Unmarshal(m, &v); err != nil {
		return string(m)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
