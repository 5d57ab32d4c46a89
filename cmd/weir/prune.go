package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/weirhq/weir"
)

// logPruner keeps the run logs and the device state history within their
// retention: every interval it deletes log entries older than maxAge and
// all but the newest keep per flow, and state reports older than
// stateMaxAge.
type logPruner struct {
	logs   weir.LogPruner
	keep   int
	maxAge time.Duration
	every  time.Duration
	logger *slog.Logger

	states      weir.DeviceStateService // nil: no state history to prune
	stateMaxAge time.Duration           // 0: keep every report

	cancel context.CancelFunc
	done   chan struct{}
}

// open starts pruning in the background, once at once and then every
// interval.
func (p *logPruner) open() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			p.prune(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// close stops pruning and waits for a prune in progress.
func (p *logPruner) close() {
	if p.cancel != nil {
		p.cancel()
		<-p.done
	}
}

func (p *logPruner) prune(ctx context.Context) {
	var before time.Time
	if p.maxAge > 0 {
		before = time.Now().Add(-p.maxAge)
	}
	n, err := p.logs.PruneLogEntries(ctx, p.keep, before)
	switch {
	case err != nil && ctx.Err() == nil:
		p.logger.Error("prune run logs", "err", err)
	case n > 0:
		p.logger.Debug("pruned run logs", "deleted", n)
	}
	if p.states == nil || p.stateMaxAge <= 0 {
		return
	}
	n, err = p.states.PruneDeviceStates(ctx, time.Now().Add(-p.stateMaxAge))
	switch {
	case err != nil && ctx.Err() == nil:
		p.logger.Error("prune device states", "err", err)
	case n > 0:
		p.logger.Debug("pruned device states", "deleted", n)
	}
}
