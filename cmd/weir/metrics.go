package main

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/metrics"
)

// openMetrics creates the process's metrics, served at GET /metrics on the
// API listener (http.ScopeMetrics): the node types weir implements label
// node errors, and the queue the process claims from reports its depth.
func (m *Main) openMetrics() error {
	specs := engine.Specs()
	types := make([]string, len(specs))
	for i, s := range specs {
		types[i] = s.Type
	}
	m.metrics = metrics.New(types)
	var src weir.QueueStatter = m.inst.DB
	if m.queue != nil {
		src = m.queue
	}
	return m.metrics.Register(metrics.QueueStats(src))
}

// countedLimiter is m.limiter with its refusals counted under name.
func (m *Main) countedLimiter(ctx context.Context, name string, n int) (engine.Limiter, error) {
	l, err := m.limiter(ctx, name, n)
	if err != nil || l == nil {
		return l, err
	}
	return m.metrics.Limiter(name, l), nil
}
