package nats

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/weirhq/weir"
)

// fetch returns up to n messages, blocking until at least one is ready, ctx
// ends or the queue closes. It asks only for the messages ready now (a pull
// request that waited could outlive a canceled claim and take a message
// nobody reads until its lease runs out), and between asks waits for a run
// to be published or for Poll to pass (leases running out publish nothing).
func (q *Queue) fetch(ctx context.Context, n int) ([]jetstream.Msg, error) {
	for {
		if err := q.ended(ctx); err != nil {
			return nil, err
		}
		wake := q.wake.wait() // before asking, so no publish goes unnoticed
		msgs, err := q.pull(n)
		switch {
		case len(msgs) > 0:
			return msgs, nil // an error after some messages shows at the next claim
		case err != nil && !strings.Contains(err.Error(), "MaxAckPending"):
			return nil, err
		}
		t := time.NewTimer(q.cfg.Poll)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
		case <-q.ctx.Done():
		}
		t.Stop()
	}
}

// ended returns why a claim must stop: the queue closed or ctx ended.
func (q *Queue) ended(ctx context.Context) error {
	if q.ctx.Err() != nil {
		return errClosed
	}
	return ctx.Err()
}

// pull takes up to n of the messages ready now.
func (q *Queue) pull(n int) ([]jetstream.Msg, error) {
	batch, err := q.cons.FetchNoWait(n)
	if err != nil {
		return nil, err
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	return msgs, batch.Error()
}

// release offers msgs again at once.
func (q *Queue) release(msgs []jetstream.Msg) {
	for _, m := range msgs {
		_ = m.Nak()
	}
}

// accept turns messages into claimed runs: it decodes each, sets its
// Attempt, skips (acknowledging) redelivered runs recorded already and
// holds the lease of the others.
func (q *Queue) accept(ctx context.Context, msgs []jetstream.Msg) []*weir.Run {
	runs := make([]*weir.Run, 0, len(msgs))
	for i, m := range msgs {
		run, meta, ok := q.decode(m)
		if !ok {
			continue
		}
		if meta.NumDelivered > 1 {
			recorded, err := q.recorded(ctx, run.ID)
			if err != nil {
				q.cfg.Logger.Error("nats: run queue: look up run", "run_id", run.ID, "err", err)
				q.release(msgs[i:])
				break // the rest are offered again
			}
			if recorded {
				q.dups.Add(1)
				if err := m.Ack(); err != nil {
					q.cfg.Logger.Warn("nats: run queue: ack recorded run", "run_id", run.ID, "err", err)
				}
				continue
			}
		}
		run.Attempt += int(meta.NumDelivered) - 1
		q.leases.hold(run.ID, m, time.Now())
		runs = append(runs, run)
	}
	return runs
}

// lookupTimeout bounds the question whether a redelivered run was recorded.
const lookupTimeout = 10 * time.Second

// recorded asks whether the run runID was recorded, whether or not ctx, the
// claim's, ends meanwhile. A claim ends for reasons of its own (an executor
// cancels a waiting claim whenever a fair share changes), and a lookup cut
// short would release the messages in hand: each would be delivered again
// and count an attempt of a run that never started, until the run was
// given up as failed although its press had been acknowledged.
func (q *Queue) recorded(ctx context.Context, runID string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	defer cancel()
	return q.cfg.Recorder.RunRecorded(ctx, runID)
}

// decode reads the run in m. A run that does not decode but whose ID can
// be read is handed out as weir.UndecodableRun, for the executor to record
// as failed; a message without even that is terminated (never offered
// again) and logged.
func (q *Queue) decode(m jetstream.Msg) (*weir.Run, *jetstream.MsgMetadata, bool) {
	meta, err := m.Metadata()
	if err != nil {
		q.cfg.Logger.Error("nats: run queue: message without metadata", "subject", m.Subject(), "err", err)
		_ = m.Term()
		return nil, nil, false
	}
	run := &weir.Run{}
	if err := json.Unmarshal(m.Data(), run); err != nil || run.ID == "" {
		if err == nil {
			err = errors.New("the run has no id")
		}
		if run = weir.UndecodableRun(m.Data(), err); run != nil {
			return run, meta, true
		}
		q.cfg.Logger.Error("nats: run queue: undecodable run dropped", "stream_seq", meta.Sequence.Stream, "err", err)
		_ = m.TermWithReason("undecodable run")
		return nil, nil, false
	}
	return run, meta, true
}

// extendLeases tells the server, several times per lease, that the claimed
// runs are still running, until the queue closes.
func (q *Queue) extendLeases() {
	defer close(q.done)
	t := time.NewTicker(q.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-q.ctx.Done():
			return
		case <-t.C:
		}
		extend, dropped := q.leases.due(time.Now(), q.cfg.MaxHold)
		for _, id := range dropped {
			q.cfg.Logger.Warn("nats: run queue: run held too long; it will be offered again", "run_id", id)
		}
		for _, m := range extend {
			// A run completed meanwhile is acknowledged already: nothing to extend.
			if err := m.InProgress(); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
				q.cfg.Logger.Warn("nats: run queue: extend lease", "err", err)
			}
		}
	}
}
