package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weirhq/weir"
)

// Queue is a weir.RunQueue that counts the runs accepted and completed
// through it, their durations and node errors, and times the store's
// enqueues and completions. Create it with Metrics.Queue.
type Queue struct {
	weir.RunQueue
	m        *Metrics
	enqueue  prometheus.Observer
	complete prometheus.Observer
	commit   prometheus.Observer
}

// Queue wraps q.
func (m *Metrics) Queue(q weir.RunQueue) *Queue {
	return &Queue{RunQueue: q, m: m, enqueue: m.storeTimer("enqueue_run"), complete: m.storeTimer("complete_run"),
		commit: m.storeTimer("commit_run")}
}

// EnqueueRun enqueues run and counts it as accepted once the queue took it.
func (q *Queue) EnqueueRun(ctx context.Context, run *weir.Run) error {
	start := time.Now()
	err := q.RunQueue.EnqueueRun(ctx, run)
	since(q.enqueue, start)
	if err == nil {
		q.m.runsAccepted.Inc()
	}
	return err
}

// CompleteRun completes run and, once its entry is recorded, counts it as
// completed or failed (dropped without an entry), its duration and its
// errors by node type.
func (q *Queue) CompleteRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	start := time.Now()
	err := q.RunQueue.CompleteRun(ctx, run, entry)
	since(q.complete, start)
	if err != nil {
		return err
	}
	q.count(entry)
	return nil
}

// count counts a run just recorded with entry (nil: dropped).
func (q *Queue) count(entry *weir.LogEntry) {
	m := q.m
	if entry == nil {
		m.runsDropped.Inc()
		return
	}
	m.runDuration.Observe(entry.WallTime / 1000)
	if len(entry.Errors) == 0 {
		m.runsCompleted.Inc()
		return
	}
	m.runsFailed.Inc()
	for _, e := range entry.Errors {
		m.nodeError(e.NodeType).Inc()
	}
}

// SubmitRun commits a run executed before it was queued through the
// wrapped queue, which must be a weir.RunCommitter, and once committed
// counts it as accepted and as completed or failed; its commit is timed as
// commit_run.
func (q *Queue) SubmitRun(ctx context.Context, c *weir.RunCommit) func() error {
	rc, ok := q.RunQueue.(weir.RunCommitter)
	if !ok {
		return func() error { return fmt.Errorf("metrics: %T cannot commit runs", q.RunQueue) }
	}
	start := time.Now()
	wait := rc.SubmitRun(ctx, c)
	return func() error {
		err := wait()
		since(q.commit, start)
		if err == nil {
			q.m.runsAccepted.Inc()
			q.count(c.Entry)
		}
		return err
	}
}

// ClaimRunsSkipping claims through the wrapped queue, which must be a
// weir.FairRunQueue (each of weir's queues is), so that the executor's
// worker shares hold through the wrapper.
func (q *Queue) ClaimRunsSkipping(ctx context.Context, max int, skip weir.RunSkip) ([]*weir.Run, error) {
	fq, ok := q.RunQueue.(weir.FairRunQueue)
	if !ok {
		return nil, fmt.Errorf("metrics: %T cannot leave runs waiting", q.RunQueue)
	}
	return fq.ClaimRunsSkipping(ctx, max, skip)
}

// nodeError returns the error counter of a node type.
func (m *Metrics) nodeError(typ string) prometheus.Counter {
	if typ == "" {
		typ = RunNodeType
	}
	if c, ok := m.nodeErrors[typ]; ok {
		return c
	}
	return m.nodeErrors[OtherNodeType]
}

var (
	_ weir.FairRunQueue = (*Queue)(nil)
	_ weir.RunCommitter = (*Queue)(nil)
)
