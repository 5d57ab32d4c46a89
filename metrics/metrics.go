package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values for what falls outside a bounded set.
const (
	// OtherNodeType labels node errors of a type not registered at start.
	OtherNodeType = "other"
	// RunNodeType labels run errors no node raised (the run's time limit).
	RunNodeType = "none"
	// OtherRoute labels HTTP requests no route pattern matched.
	OtherRoute = "other"
)

// Metrics holds a process's collectors. Create it with New; its methods are
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	runsAccepted  prometheus.Counter
	runsCompleted prometheus.Counter
	runsFailed    prometheus.Counter
	runsDropped   prometheus.Counter
	runDuration   prometheus.Histogram
	nodeErrors    map[string]prometheus.Counter // by node type, fixed by New
	nodeErrorsVec *prometheus.CounterVec
	requests      *prometheus.CounterVec
	requestByKey  sync.Map // requestKey -> prometheus.Counter
	limited       *prometheus.CounterVec
	store         *prometheus.HistogramVec
}

// New returns Metrics whose node error counter knows nodeTypes (others are
// counted as OtherNodeType), with Go runtime and process collectors.
func New(nodeTypes []string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.runsAccepted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "weir_runs_accepted_total",
		Help: "Runs accepted into the run queue (presses, webhook and endpoint requests, timer ticks, MQTT messages, Workflow Trigger nodes, flow errors).",
	})
	m.runsCompleted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "weir_runs_completed_total",
		Help: "Runs executed and recorded without a node error.",
	})
	m.runsFailed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "weir_runs_failed_total",
		Help: "Runs executed and recorded with at least one error.",
	})
	m.runsDropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "weir_runs_dropped_total",
		Help: "Runs removed from the queue without executing: their flow, version or trigger was deleted or disabled meanwhile.",
	})
	m.runDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "weir_run_duration_seconds",
		Help:    "Wall time of executed runs, from the trigger to the last node.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	m.nodeErrorsVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "weir_node_errors_total",
		Help: "Errors of recorded runs by the type of the node that raised them (" + RunNodeType + ": the run itself, " + OtherNodeType + ": a type weir does not implement).",
	}, []string{"node_type"})
	m.nodeErrors = make(map[string]prometheus.Counter, len(nodeTypes)+2)
	for _, t := range append(nodeTypes, OtherNodeType, RunNodeType) {
		m.nodeErrors[t] = m.nodeErrorsVec.WithLabelValues(t)
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "weir_http_requests_total",
		Help: "HTTP requests answered by the API listener, by route pattern and status code.",
	}, []string{"route", "code"})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "weir_rate_limited_total",
		Help: "Uses refused by a rate limit (presses: virtual button presses by the API and Workflow Trigger nodes; webhooks: webhook requests).",
	}, []string{"limit"})
	m.store = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "weir_store_duration_seconds",
		Help:    "Latency of store operations: enqueue_run and complete_run (through the run queue), commit_run (a run executed as it was accepted, committed in one write), storage_* (flow storage, by the API and by nodes).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"op"})
	m.reg.MustRegister(m.runsAccepted, m.runsCompleted, m.runsFailed, m.runsDropped, m.runDuration,
		m.nodeErrorsVec, m.requests, m.limited, m.store,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	return m
}

// Handler serves the metrics in Prometheus's text format (or OpenMetrics
// when the scraper asks for it). A collector that fails (the queue could
// not be read) leaves out its own metrics only.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError})
}

// Register adds a collector of the caller's, such as QueueStats.
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// storeTimer returns the observer of op's latency, resolved once.
func (m *Metrics) storeTimer(op string) prometheus.Observer { return m.store.WithLabelValues(op) }

// since observes the seconds elapsed since start on o.
func since(o prometheus.Observer, start time.Time) { o.Observe(time.Since(start).Seconds()) }
