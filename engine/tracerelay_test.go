package engine_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// memTraceRelay connects the trace hubs of a cluster in memory: what one hub
// sends reaches every other hub, at once.
type memTraceRelay struct {
	mu    sync.Mutex
	hubs  []*engine.TraceHub
	wants int
}

type memTraceEnd struct {
	r    *memTraceRelay
	self *engine.TraceHub
}

func (e memTraceEnd) others() []*engine.TraceHub {
	e.r.mu.Lock()
	defer e.r.mu.Unlock()
	var out []*engine.TraceHub
	for _, h := range e.r.hubs {
		if h != e.self {
			out = append(out, h)
		}
	}
	return out
}

func (e memTraceEnd) Want(flowID string) error {
	e.r.mu.Lock()
	e.r.wants++
	e.r.mu.Unlock()
	for _, h := range e.others() {
		h.ReceiveWant(flowID)
	}
	return nil
}

func (e memTraceEnd) Forward(flowID string, batch []byte) error {
	for _, h := range e.others() {
		h.ReceiveBatch(flowID, batch)
	}
	return nil
}

// memCluster returns n hubs joined by one memTraceRelay.
func memCluster(t *testing.T, n int) ([]*engine.TraceHub, *memTraceRelay) {
	r := &memTraceRelay{}
	for range n {
		h := &engine.TraceHub{WantEvery: 20 * time.Millisecond, ForwardEvery: 30 * time.Millisecond}
		h.Relay = memTraceEnd{r: r, self: h}
		r.hubs = append(r.hubs, h)
		t.Cleanup(h.Close)
	}
	return r.hubs, r
}

// takeAll takes from s until it has counted want runs, one by one or
// summed up, or d passes; it returns the runs seen one by one and the
// summaries' run, edge and failure counts.
func takeAll(t *testing.T, s *engine.TraceSubscription, want int, d time.Duration) (runs, summed, failed int, edges map[engine.TraceEdge]int) {
	t.Helper()
	edges = map[engine.TraceEdge]int{}
	deadline := time.After(d)
	for runs+summed < want {
		select {
		case <-s.Ready():
		case <-deadline:
			t.Fatalf("counted %d runs one by one and %d summed up, want %d in all", runs, summed, want)
		}
		rs, sum := s.Take()
		runs += len(rs)
		if sum != nil {
			summed += sum.Runs
			failed += sum.Failed
			for _, e := range sum.Edges {
				c := e.Count
				e.Count = 0
				edges[e] += c
			}
		}
	}
	return runs, summed, failed, edges
}

// TestTraceHubRelaysOtherProcessesRuns follows a flow on process 0 while
// processes 1 and 2 run it faster than a person can follow: every run
// reaches the subscriber, one by one or counted per edge, once.
func TestTraceHubRelaysOtherProcessesRuns(t *testing.T) {
	hubs, _ := memCluster(t, 3)
	s := hubs[0].Subscribe("f")
	defer s.Close()
	// The want reaches the others at once (the first is sent on Subscribe).
	const perProcess = 40
	waitForward := time.Now().Add(5 * time.Second)
	for {
		// Until the others forward, their runs reach nobody: probe with
		// one run until it arrives.
		hubs[1].Publish(traced("f", false))
		select {
		case <-s.Ready():
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(waitForward) {
				t.Fatal("no run of process 1 reached process 0's subscriber")
			}
			continue
		}
		break
	}
	time.Sleep(50 * time.Millisecond) // the probes still on their way
	s.Take()
	for i := range perProcess {
		hubs[1].Publish(traced("f", i%4 == 0))
		hubs[2].Publish(traced("f", false))
		hubs[0].Publish(traced("f", false)) // this process's own, straight to s
	}
	runs, summed, failed, edges := takeAll(t, s, 3*perProcess, 5*time.Second)
	if runs+summed != 3*perProcess {
		t.Errorf("counted %d + %d runs, want %d", runs, summed, 3*perProcess)
	}
	if summed == 0 || failed > perProcess/4 {
		t.Errorf("summed %d runs (%d failed), want some summed and at most %d failed", summed, failed, perProcess/4)
	}
	if want := (engine.TraceEdge{Trigger: "k", To: "a"}); edges[want] != summed {
		t.Errorf("edge trigger→a counted %d times, want once per summed run (%d)", edges[want], summed)
	}
	time.Sleep(100 * time.Millisecond) // nothing more comes: no run was sent twice
	if rs, sum := s.Take(); len(rs) != 0 || sum != nil {
		t.Errorf("after all runs: %d more runs, summary %+v; want nothing", len(rs), sum)
	}
}

// TestTraceHubStopsForwarding closes the only subscriber: the others stop
// forwarding once its want expires, and Close leaves no goroutine.
func TestTraceHubStopsForwarding(t *testing.T) {
	before := runtime.NumGoroutine()
	hubs, relay := memCluster(t, 2)
	s := hubs[0].Subscribe("f")
	deadline := time.Now().Add(5 * time.Second)
	for {
		hubs[1].Publish(traced("f", false))
		if runs, _ := s.Take(); len(runs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no run of process 1 reached process 0's subscriber")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Close()
	time.Sleep(10 * time.Millisecond) // a want sent as it closed
	relay.mu.Lock()
	wants := relay.wants
	relay.mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	relay.mu.Lock()
	if relay.wants != wants {
		t.Errorf("process 0 sent %d wants after its last subscriber left, want none", relay.wants-wants)
	}
	relay.mu.Unlock()
	// Three WantEvery later process 1's forwarding has expired.
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines once forwarding expired, %d before", n, before)
	}
	// A new subscriber starts it again; Close stops everything.
	s = hubs[0].Subscribe("f")
	defer s.Close()
	for _, h := range hubs {
		h.Close()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}

// TestTraceHubIgnoresBadBatches hands a subscriber batches that do not
// decode, or name runs without a trace: it gets nothing.
func TestTraceHubIgnoresBadBatches(t *testing.T) {
	var h engine.TraceHub
	s := h.Subscribe("f")
	defer s.Close()
	for _, b := range []string{``, `{`, `[]`, `{"runs":[1,"x",{"runId":"r"}]}`} {
		h.ReceiveBatch("f", []byte(b))
	}
	if runs, sum := s.Take(); len(runs) != 0 || sum != nil {
		t.Errorf("Take() = %d runs, summary %+v; want nothing", len(runs), sum)
	}
}
