package main

import (
	"context"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/nats"
)

// runQueue returns the queue that dispatches runs: the store's own, or with
// --queue the NATS JetStream queue every process shares, recording runs in
// the store. m.nats must be connected when --queue is set.
func (m *Main) runQueue(ctx context.Context) (weir.RunQueue, error) {
	if m.Config.Queue == "" {
		return m.inst.DB, nil
	}
	_, cfg, err := nats.ParseQueueURL(m.Config.Queue)
	if err != nil {
		return nil, err
	}
	cfg.Recorder, cfg.Logger = m.inst.DB, m.Logger
	// A run is halted after the run timeout; its lease is extended a little
	// longer so that it is never offered again while it still runs.
	cfg.MaxHold = m.Config.RunTimeout + max(m.Config.RunTimeout/2, 30*time.Second)
	if m.queue, err = nats.OpenQueue(ctx, m.nats, cfg); err != nil {
		return nil, err
	}
	return m.queue, nil
}

// closeQueue offers the runs this process claimed and did not complete to
// the other processes, and logs how many redelivered runs it skipped as
// recorded already.
func (m *Main) closeQueue() error {
	if m.queue == nil {
		return nil
	}
	m.Logger.Info("run queue closed", "duplicates_suppressed", m.queue.Duplicates())
	return m.queue.Close()
}
