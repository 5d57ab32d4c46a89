package engine

import (
	"encoding/json"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weirhq/weir"
)

// Live trace stream limits, per subscriber.
const (
	// TraceRunsPerInterval is how many runs a subscriber gets one by one
	// per interval; the runs past it are summed up per edge.
	TraceRunsPerInterval = 10
	// MaxTraceEdges is how many distinct edges and nodes one summary
	// counts; steps on others are counted in its "omitted".
	MaxTraceEdges = 1024
)

// TraceHub hands the traces of completed runs to the live subscribers of
// each flow. A subscriber gets up to TraceRunsPerInterval runs one by one
// between two Takes and every further run summed up per edge and node, so
// that nothing is dropped and what it holds stays bounded. Publishing
// never blocks and costs one atomic load while nobody subscribes. It is
// safe for concurrent use.
type TraceHub struct {
	subscribers atomic.Int64
	mu          sync.Mutex
	flows       map[string]map[*TraceSubscription]struct{}
}

// TraceRun is one run as a live trace stream shows it.
type TraceRun struct {
	RunID       string         `json:"runId"`
	Time        time.Time      `json:"time"`
	FlowVersion string         `json:"flowVersion"`
	WallTime    float64        `json:"wallTime"`
	Failed      bool           `json:"failed"`
	Trace       *weir.RunTrace `json:"trace"`
}

// TraceSummary sums up the runs of one flow that came too fast to show one
// by one: how often each edge was taken and each node ran.
type TraceSummary struct {
	Since   time.Time   `json:"since"` // when the first summed run was published
	Until   time.Time   `json:"until"` // and the last
	Runs    int         `json:"runs"`
	Failed  int         `json:"failed"`
	Edges   []TraceEdge `json:"edges"`
	Nodes   []TraceNode `json:"nodes"`
	Omitted int         `json:"omitted"` // steps not counted: past MaxTraceEdges or past the runs' own trace limit
}

// TraceEdge counts the runs that went from a node's output (or the
// trigger with key Trigger, when From is empty) to node To.
type TraceEdge struct {
	From    string `json:"from,omitempty"`
	Trigger string `json:"trigger,omitempty"`
	Output  int    `json:"output"`
	To      string `json:"to"`
	Count   int    `json:"count"`
}

// TraceNode counts the executions and failures of one node.
type TraceNode struct {
	NodeID string `json:"nodeId"`
	Count  int    `json:"count"`
	Failed int    `json:"failed"`
}

// Publish hands the trace of e, a completed run's log entry, to the
// subscribers of its flow. Entries without a trace are ignored.
func (h *TraceHub) Publish(e *weir.LogEntry) {
	if h.subscribers.Load() == 0 || e.Trace == nil {
		return
	}
	h.mu.Lock()
	subs := make([]*TraceSubscription, 0, len(h.flows[e.FlowID]))
	for s := range h.flows[e.FlowID] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	data, err := json.Marshal(TraceRun{RunID: e.ID, Time: e.Time, FlowVersion: e.FlowVersion, WallTime: e.WallTime,
		Failed: e.PathsFailed > 0, Trace: e.Trace})
	if err != nil {
		return // a trace always encodes
	}
	for _, s := range subs {
		s.offer(data, e)
	}
}

// Subscribe starts a subscription to the traces of flowID's runs. Close it
// when done.
func (h *TraceHub) Subscribe(flowID string) *TraceSubscription {
	s := &TraceSubscription{hub: h, flowID: flowID, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.flows == nil {
		h.flows = map[string]map[*TraceSubscription]struct{}{}
	}
	if h.flows[flowID] == nil {
		h.flows[flowID] = map[*TraceSubscription]struct{}{}
	}
	h.flows[flowID][s] = struct{}{}
	h.subscribers.Add(1)
	return s
}

// TraceSubscription holds one subscriber's runs since its last Take.
type TraceSubscription struct {
	hub    *TraceHub
	flowID string
	ready  chan struct{}
	once   sync.Once

	mu      sync.Mutex
	runs    [][]byte
	summary *TraceSummary
	edges   map[TraceEdge]int // by edge without its count
	nodes   map[string]int    // index in summary.Nodes
}

// Ready is signalled when runs wait to be taken.
func (s *TraceSubscription) Ready() <-chan struct{} { return s.ready }

// Take returns the runs published since the last Take: the first
// TraceRunsPerInterval of them encoded as TraceRun JSON, and a summary of
// the rest (nil when there were no more).
func (s *TraceSubscription) Take() (runs [][]byte, summary *TraceSummary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	runs, summary = s.runs, s.summary
	s.runs, s.summary, s.edges, s.nodes = nil, nil, nil, nil
	if summary != nil {
		sort.Slice(summary.Edges, func(i, j int) bool { return summary.Edges[i].Count > summary.Edges[j].Count })
	}
	return runs, summary
}

// Close ends the subscription.
func (s *TraceSubscription) Close() {
	s.once.Do(func() {
		h := s.hub
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.flows[s.flowID], s)
		if len(h.flows[s.flowID]) == 0 {
			delete(h.flows, s.flowID)
		}
		h.subscribers.Add(-1)
	})
}

// offer keeps run data (the encoded e) or sums e up, and signals Ready.
func (s *TraceSubscription) offer(data []byte, e *weir.LogEntry) {
	s.mu.Lock()
	if len(s.runs) < TraceRunsPerInterval {
		s.runs = append(s.runs, data)
	} else {
		s.sum(e)
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// sum counts e's run, edges and nodes in the summary.
func (s *TraceSubscription) sum(e *weir.LogEntry) {
	if s.summary == nil {
		s.summary = &TraceSummary{Since: e.Time, Edges: []TraceEdge{}, Nodes: []TraceNode{}}
		s.edges, s.nodes = map[TraceEdge]int{}, map[string]int{}
	}
	m := s.summary
	m.Until = e.Time
	m.Runs++
	if e.PathsFailed > 0 {
		m.Failed++
	}
	t := e.Trace
	m.Omitted += t.Omitted
	for _, step := range t.Steps {
		k := TraceEdge{Output: step.Via, To: step.NodeID}
		switch {
		case step.From == -1:
			k.Trigger = t.Trigger
		case step.From >= 0 && step.From < len(t.Steps):
			k.From = t.Steps[step.From].NodeID
		}
		i, ok := s.edges[k]
		n, nok := s.nodes[step.NodeID]
		if (!ok || !nok) && len(s.edges)+len(s.nodes) >= MaxTraceEdges {
			m.Omitted++
			continue
		}
		if !ok {
			i = len(m.Edges)
			s.edges[k] = i
			m.Edges = append(m.Edges, k)
		}
		if !nok {
			n = len(m.Nodes)
			s.nodes[step.NodeID] = n
			m.Nodes = append(m.Nodes, TraceNode{NodeID: step.NodeID})
		}
		m.Edges[i].Count++
		m.Nodes[n].Count++
		if step.Failed {
			m.Nodes[n].Failed++
		}
	}
}
