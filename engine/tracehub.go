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
//
// In a cluster, a Relay carries the runs of one process to the
// subscribers of the others (see TraceRelay).
type TraceHub struct {
	// Relay, when set, carries the runs of this process to the subscribers
	// of other processes and theirs to this one's; nil keeps them in this
	// process. Set it before the first Subscribe.
	Relay TraceRelay
	// WantEvery is how often this process tells the others which flows it
	// follows, and ForwardEvery how often at most it sends them a batch of
	// one flow's runs; defaults DefaultTraceWantEvery and
	// DefaultTraceForwardEvery.
	WantEvery, ForwardEvery time.Duration

	subscribers atomic.Int64
	mu          sync.Mutex
	flows       map[string]map[*TraceSubscription]struct{}
	wants       map[string]chan struct{} // flows followed here, announced until the channel closes
	forwards    map[string]*traceForward // flows other processes follow
	closed      bool
	wg          sync.WaitGroup
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
// subscribers of its flow, and the runs of custom nodes within it to the
// subscribers of the custom nodes' flows. Entries without a trace are
// ignored.
func (h *TraceHub) Publish(e *weir.LogEntry) {
	if h.subscribers.Load() == 0 || e.Trace == nil {
		return
	}
	h.offer(e.FlowID, TraceRun{RunID: e.ID, Time: e.Time, FlowVersion: e.FlowVersion, WallTime: e.WallTime,
		Failed: e.PathsFailed > 0, Trace: e.Trace})
	h.offerInner(e, e.Trace)
}

// offerInner offers the custom node runs within t, at any depth, to the
// subscribers of the custom nodes' flows, as runs of their own.
func (h *TraceHub) offerInner(e *weir.LogEntry, t *weir.RunTrace) {
	for i := range t.Steps {
		in := t.Steps[i].Inner
		if in == nil {
			continue
		}
		if in.FlowID != "" {
			failed := false
			for _, s := range in.Steps {
				failed = failed || s.Failed
			}
			h.offer(in.FlowID, TraceRun{RunID: e.ID, Time: e.Time, WallTime: t.Steps[i].Time, Failed: failed, Trace: in})
		}
		h.offerInner(e, in)
	}
}

// offer hands run to the subscribers of flowID, if any.
func (h *TraceHub) offer(flowID string, run TraceRun) {
	h.mu.Lock()
	subs := make([]*TraceSubscription, 0, len(h.flows[flowID]))
	for s := range h.flows[flowID] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	data, err := json.Marshal(run)
	if err != nil {
		return // a trace always encodes
	}
	for _, s := range subs {
		s.offer(data, &run)
	}
}

// Subscribe starts a subscription to the traces of flowID's runs. Close it
// when done.
func (h *TraceHub) Subscribe(flowID string) *TraceSubscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.subscribeLocked(flowID, false)
	if h.Relay != nil && !h.closed && h.wants[flowID] == nil {
		h.announce(flowID)
	}
	return s
}

// subscribeLocked adds a subscription to flowID, one that forwards this
// process's runs to other processes when forward is set; h.mu is held.
func (h *TraceHub) subscribeLocked(flowID string, forward bool) *TraceSubscription {
	s := &TraceSubscription{hub: h, flowID: flowID, forward: forward, ready: make(chan struct{}, 1)}
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
	hub     *TraceHub
	flowID  string
	forward bool // forwards this process's runs to other processes
	ready   chan struct{}
	once    sync.Once

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
		if !s.forward && h.localSubscribers(s.flowID) == 0 {
			h.unannounce(s.flowID)
		}
	})
}

// offer keeps run data (the encoded r) or sums r up, and signals Ready.
func (s *TraceSubscription) offer(data []byte, r *TraceRun) {
	s.mu.Lock()
	if len(s.runs) < TraceRunsPerInterval {
		s.runs = append(s.runs, data)
	} else {
		s.sum(r)
	}
	s.mu.Unlock()
	s.signal()
}

// signal tells Ready that runs wait to be taken.
func (s *TraceSubscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// summarise returns the summary that the runs past the limit are counted
// in, starting one at since when there is none; s.mu is held.
func (s *TraceSubscription) summarise(since time.Time) *TraceSummary {
	if s.summary == nil {
		s.summary = &TraceSummary{Since: since, Until: since, Edges: []TraceEdge{}, Nodes: []TraceNode{}}
		s.edges, s.nodes = map[TraceEdge]int{}, map[string]int{}
	}
	return s.summary
}

// full reports whether the summary counts as many distinct edges and nodes
// as it may; s.mu is held.
func (s *TraceSubscription) full() bool { return len(s.edges)+len(s.nodes) >= MaxTraceEdges }

// sum counts r's run, edges and nodes in the summary.
func (s *TraceSubscription) sum(r *TraceRun) {
	m := s.summarise(r.Time)
	if r.Time.After(m.Until) {
		m.Until = r.Time
	}
	m.Runs++
	if r.Failed {
		m.Failed++
	}
	t := r.Trace
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
		if (!ok || !nok) && s.full() {
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
