package engine

import (
	"encoding/json"
	"sync/atomic"
	"time"
)

// Cluster trace defaults.
const (
	// DefaultTraceWantEvery is how often a process that follows a flow
	// says so to the others; they forward its runs for three times as long
	// after each time it said so.
	DefaultTraceWantEvery = 2 * time.Second
	// DefaultTraceForwardEvery is how often at most a process sends the
	// others a batch of one flow's runs: the first of a quiet spell goes at
	// once, what comes meanwhile waits, summed up past
	// TraceRunsPerInterval runs as for a subscriber of its own.
	DefaultTraceForwardEvery = 100 * time.Millisecond
)

// TraceRelay carries live traces among the processes of a cluster. What a
// process sends reaches the other processes, never itself: Want reaches
// their TraceHub.ReceiveWant, Forward their TraceHub.ReceiveBatch. An error
// means nothing was sent.
type TraceRelay interface {
	// Want tells the other processes that this one follows flowID.
	Want(flowID string) error
	// Forward sends a batch of this process's runs of flowID.
	Forward(flowID string, batch []byte) error
}

// traceBatch is what one process forwards to the others: runs encoded as
// TraceRun, and a summary of those past the limit.
type traceBatch struct {
	Runs    []json.RawMessage `json:"runs,omitempty"`
	Summary *TraceSummary     `json:"summary,omitempty"`
}

// traceForward sends this process's runs of one flow to the processes that
// follow it, until none has said so for a while.
type traceForward struct {
	sub   *TraceSubscription
	until atomic.Int64 // unix nanoseconds; renewed by each want
	stop  chan struct{}
}

func (h *TraceHub) wantEvery() time.Duration {
	if h.WantEvery > 0 {
		return h.WantEvery
	}
	return DefaultTraceWantEvery
}

// announce tells the other processes, now and every WantEvery until
// unannounce, that this one follows flowID; h.mu is held.
func (h *TraceHub) announce(flowID string) {
	if h.wants == nil {
		h.wants = map[string]chan struct{}{}
	}
	stop := make(chan struct{})
	h.wants[flowID] = stop
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(h.wantEvery())
		defer t.Stop()
		for {
			_ = h.Relay.Want(flowID) // a want lost is sent again at the next tick
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
}

// unannounce stops announcing flowID; h.mu is held.
func (h *TraceHub) unannounce(flowID string) {
	if stop, ok := h.wants[flowID]; ok {
		close(stop)
		delete(h.wants, flowID)
	}
}

// localSubscribers counts the subscribers of flowID in this process; h.mu
// is held.
func (h *TraceHub) localSubscribers(flowID string) int {
	n := 0
	for s := range h.flows[flowID] {
		if !s.forward {
			n++
		}
	}
	return n
}

// ReceiveWant starts or prolongs forwarding this process's runs of flowID
// to the other processes, for three times WantEvery. A TraceRelay calls it
// when another process follows flowID.
func (h *TraceHub) ReceiveWant(flowID string) {
	until := time.Now().Add(3 * h.wantEvery()).UnixNano()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.Relay == nil {
		return
	}
	if f := h.forwards[flowID]; f != nil {
		f.until.Store(until)
		return
	}
	if h.forwards == nil {
		h.forwards = map[string]*traceForward{}
	}
	f := &traceForward{sub: h.subscribeLocked(flowID, true), stop: make(chan struct{})}
	f.until.Store(until)
	h.forwards[flowID] = f
	h.wg.Add(1)
	go h.forward(flowID, f)
}

// forward sends f's runs of flowID as they come, a batch per ForwardEvery
// at most, until the want expires or the hub closes.
func (h *TraceHub) forward(flowID string, f *traceForward) {
	defer h.wg.Done()
	defer f.sub.Close()
	every := h.ForwardEvery
	if every <= 0 {
		every = DefaultTraceForwardEvery
	}
	expiry := time.NewTimer(time.Until(time.Unix(0, f.until.Load())))
	defer expiry.Stop()
	next := time.Now()
	for {
		select {
		case <-f.stop:
			return
		case <-expiry.C:
			h.mu.Lock()
			left := time.Until(time.Unix(0, f.until.Load()))
			if left <= 0 {
				delete(h.forwards, flowID)
			}
			h.mu.Unlock()
			if left <= 0 {
				h.send(flowID, f.sub) // what came before the end
				return
			}
			expiry.Reset(left)
		case <-f.sub.Ready():
			if wait := time.Until(next); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-f.stop:
					t.Stop()
					return
				}
			}
			next = time.Now().Add(every)
			h.send(flowID, f.sub)
		}
	}
}

// send forwards what sub holds, if anything.
func (h *TraceHub) send(flowID string, sub *TraceSubscription) {
	runs, summary := sub.Take()
	if len(runs) == 0 && summary == nil {
		return
	}
	b := traceBatch{Summary: summary}
	for _, r := range runs {
		b.Runs = append(b.Runs, r)
	}
	data, err := json.Marshal(b)
	if err != nil {
		return // a batch always encodes
	}
	_ = h.Relay.Forward(flowID, data) // delivery is at most once, as for debug messages
}

// ReceiveBatch hands a batch of another process's runs of flowID to this
// process's subscribers. A TraceRelay calls it for every batch; a batch
// that does not decode is ignored.
func (h *TraceHub) ReceiveBatch(flowID string, batch []byte) {
	if h.subscribers.Load() == 0 {
		return
	}
	h.mu.Lock()
	var subs []*TraceSubscription
	for s := range h.flows[flowID] {
		if !s.forward {
			subs = append(subs, s)
		}
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	var b traceBatch
	if json.Unmarshal(batch, &b) != nil {
		return
	}
	runs := make([]TraceRun, 0, len(b.Runs))
	data := make([][]byte, 0, len(b.Runs))
	for _, raw := range b.Runs {
		var r TraceRun
		if json.Unmarshal(raw, &r) != nil || r.Trace == nil {
			continue
		}
		runs = append(runs, r)
		data = append(data, raw)
	}
	for _, s := range subs {
		for i := range runs {
			s.offer(data[i], &runs[i])
		}
		if b.Summary != nil {
			s.merge(b.Summary)
		}
	}
}

// Close stops announcing and forwarding, and waits until that has stopped.
// Subscriptions of this process keep working, in this process only.
func (h *TraceHub) Close() {
	h.mu.Lock()
	h.closed = true
	for flowID := range h.wants {
		h.unannounce(flowID)
	}
	for _, f := range h.forwards {
		close(f.stop)
	}
	h.forwards = nil
	h.mu.Unlock()
	h.wg.Wait()
}

// merge adds the counts of m, another process's summary, to the summary,
// and signals Ready.
func (s *TraceSubscription) merge(m *TraceSummary) {
	s.mu.Lock()
	sum := s.summarise(m.Since)
	if m.Since.Before(sum.Since) {
		sum.Since = m.Since
	}
	if m.Until.After(sum.Until) {
		sum.Until = m.Until
	}
	sum.Runs += m.Runs
	sum.Failed += m.Failed
	sum.Omitted += m.Omitted
	for _, e := range m.Edges {
		k := e
		k.Count = 0
		i, ok := s.edges[k]
		if !ok {
			if s.full() {
				sum.Omitted += e.Count
				continue
			}
			i = len(sum.Edges)
			s.edges[k] = i
			sum.Edges = append(sum.Edges, k)
		}
		sum.Edges[i].Count += e.Count
	}
	for _, n := range m.Nodes {
		i, ok := s.nodes[n.NodeID]
		if !ok {
			if s.full() {
				sum.Omitted += n.Count
				continue
			}
			i = len(sum.Nodes)
			s.nodes[n.NodeID] = i
			sum.Nodes = append(sum.Nodes, TraceNode{NodeID: n.NodeID})
		}
		sum.Nodes[i].Count += n.Count
		sum.Nodes[i].Failed += n.Failed
	}
	s.mu.Unlock()
	s.signal()
}
