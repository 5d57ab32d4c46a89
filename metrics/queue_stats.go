package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weirhq/weir"
)

// queueStatsTimeout bounds one scrape's query of the queue.
const queueStatsTimeout = 5 * time.Second

// queueStats reports a run queue's depth and the age of its oldest waiting
// run at each scrape.
type queueStats struct {
	src                      weir.QueueStatter
	now                      func() time.Time
	waiting, running, oldest *prometheus.Desc
}

// QueueStats collects the depth of src's queue at every scrape: the runs
// waiting and running and the age of the oldest waiting run.
func QueueStats(src weir.QueueStatter) prometheus.Collector {
	return &queueStats{
		src:     src,
		now:     time.Now,
		waiting: prometheus.NewDesc("weir_runs_waiting", "Runs accepted and not yet handed to a worker (in the whole queue, which processes sharing a store share).", nil, nil),
		running: prometheus.NewDesc("weir_runs_running", "Runs handed to a worker and not yet completed (by any process sharing the queue).", nil, nil),
		oldest:  prometheus.NewDesc("weir_runs_oldest_waiting_age_seconds", "How long the oldest waiting run has waited since it was accepted; 0 when none waits.", nil, nil),
	}
}

// Describe sends the descriptions of the three gauges.
func (c *queueStats) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.waiting
	ch <- c.running
	ch <- c.oldest
}

// Collect queries the queue and sends the gauges, or an invalid metric
// naming the error.
func (c *queueStats) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueStatsTimeout)
	defer cancel()
	s, err := c.src.RunQueueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.waiting, err)
		return
	}
	age := 0.0
	if !s.OldestWaiting.IsZero() {
		age = max(c.now().Sub(s.OldestWaiting).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(s.Waiting))
	ch <- prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, float64(s.Running))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
