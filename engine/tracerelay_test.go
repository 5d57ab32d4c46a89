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
	// delivered counts the wants every other hub has received.
	delivered int
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
	e.r.mu.Lock()
	e.r.delivered++
	e.r.mu.Unlock()
	return nil
}

// waitDelivered waits until n wants have reached every other hub.
func (r *memTraceRelay) waitDelivered(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		got := r.delivered
		r.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d wants delivered after 30 s, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (e memTraceEnd) Forward(flowID string, batch []byte) error {
	for _, h := range e.others() {
		h.ReceiveBatch(flowID, batch)
	}
	return nil
}

// memCluster returns n hubs joined by one memTraceRelay, each saying it
// follows a flow every wantEvery.
func memCluster(t *testing.T, n int, wantEvery time.Duration) ([]*engine.TraceHub, *memTraceRelay) {
	r := &memTraceRelay{}
	for range n {
		h := &engine.TraceHub{WantEvery: wantEvery, ForwardEvery: 30 * time.Millisecond}
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
	// Forwarding lasts three WantEvery after each want: 20 s keeps it going
	// for a minute, however long a starved announcer waits for its tick.
	hubs, relay := memCluster(t, 3, 20*time.Second)
	s := hubs[0].Subscribe("f")
	defer s.Close()
	// The first want is sent on Subscribe; once it has reached processes 1
	// and 2, they forward every run they publish.
	relay.waitDelivered(t, 1)
	const perProcess = 40
	for i := range perProcess {
		hubs[1].Publish(traced("f", i%4 == 0))
		hubs[2].Publish(traced("f", false))
		hubs[0].Publish(traced("f", false)) // this process's own, straight to s
	}
	runs, summed, failed, edges := takeAll(t, s, 3*perProcess, 30*time.Second)
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
	const wantEvery = 20 * time.Millisecond
	hubs, relay := memCluster(t, 2, wantEvery)
	s := hubs[0].Subscribe("f")
	deadline := time.Now().Add(30 * time.Second)
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
	relay.mu.Lock()
	wants := relay.wants
	relay.mu.Unlock()
	s.Close()
	// The announcer may be on its way to one more want as it is stopped;
	// announcing still would send one per WantEvery.
	time.Sleep(10 * wantEvery)
	relay.mu.Lock()
	if n := relay.wants - wants; n > 1 {
		t.Errorf("process 0 sent %d wants in %v after its last subscriber left, want at most the one under way", n, 10*wantEvery)
	}
	relay.mu.Unlock()
	// Three WantEvery after its last want process 1's forwarding expires.
	waitGoroutines(t, before, "once forwarding expired")
	// A new subscriber starts it again; Close stops everything.
	s = hubs[0].Subscribe("f")
	defer s.Close()
	for _, h := range hubs {
		h.Close()
	}
	// Close has waited for the hub's goroutines; they may still be
	// counted for the moment they take to end.
	waitGoroutines(t, before, "after Close")
}

// waitGoroutines waits until no more than before goroutines run, and fails
// if they do not come down to that within 30 s.
func waitGoroutines(t *testing.T, before int, when string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines %s, %d before", n, when, before)
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
