package nats

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/weirhq/weir"
)

// RunQueueStats reads the consumer's counts: runs not yet delivered are
// waiting, runs delivered and not yet acknowledged running (a run whose
// lease ran out counts as running until it is delivered again). The
// oldest waiting run is the first undelivered message, aged from the time
// the run was accepted.
func (q *Queue) RunQueueStats(ctx context.Context) (weir.QueueStats, error) {
	info, err := q.cons.Info(ctx)
	if err != nil {
		return weir.QueueStats{}, fmt.Errorf("nats: run queue stats: %w", err)
	}
	s := weir.QueueStats{Waiting: int(info.NumPending), Running: info.NumAckPending}
	// The runs this queue parked (see ClaimRunsSkipping) wait, though
	// delivered; other processes' parked runs count as running.
	parked, oldest := q.leases.parkedStats()
	s.Running = max(0, s.Running-parked)
	s.Waiting += parked
	s.OldestWaiting = oldest
	if int(info.NumPending) == 0 {
		return s, nil
	}
	stream, err := q.js.Stream(ctx, q.cfg.Stream)
	if err != nil {
		return s, fmt.Errorf("nats: run queue stats: %w", err)
	}
	msg, err := stream.GetMsg(ctx, info.Delivered.Stream+1, jetstream.WithGetMsgSubject(q.subject))
	if err != nil {
		return s, fmt.Errorf("nats: run queue stats: %w", err)
	}
	var run struct{ Time time.Time }
	if err := json.Unmarshal(msg.Data, &run); err != nil {
		return s, fmt.Errorf("nats: run queue stats: %w", err)
	}
	if s.OldestWaiting.IsZero() || run.Time.Before(s.OldestWaiting) {
		s.OldestWaiting = run.Time
	}
	return s, nil
}

var _ weir.QueueStatter = (*Queue)(nil)
