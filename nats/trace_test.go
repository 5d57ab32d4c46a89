package nats_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nats"
)

// mustTraceProcesses returns n processes' trace hubs, each relayed on a
// connection of its own.
func mustTraceProcesses(t *testing.T, n int) []*engine.TraceHub {
	t.Helper()
	prefix := uniquePrefix(t)
	hubs := make([]*engine.TraceHub, n)
	for i := range hubs {
		relay := &nats.TraceRelay{Client: mustClusterClient(t), Prefix: prefix}
		hub := &engine.TraceHub{Relay: relay, WantEvery: 50 * time.Millisecond, ForwardEvery: 20 * time.Millisecond}
		if err := relay.Open(hub.ReceiveWant, hub.ReceiveBatch); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := relay.Close(); err != nil {
				t.Error(err)
			}
			hub.Close()
		})
		hubs[i] = hub
	}
	return hubs
}

func tracedRun(flowID string) *weir.LogEntry {
	return &weir.LogEntry{ID: weir.NewID(), FlowID: flowID, Time: time.Now().UTC(), RunCount: 1, PathsCompleted: 1,
		Trace: &weir.RunTrace{Trigger: "k", Steps: []weir.TraceStep{{NodeID: "a", From: -1}}}}
}

// TestTraceRelay_OtherProcessesRuns follows a flow on two of three
// processes: each subscriber gets every process's runs once, its own
// included, and nothing of another flow.
func TestTraceRelay_OtherProcessesRuns(t *testing.T) {
	hubs := mustTraceProcesses(t, 3)
	const flow = "0123456789abcdef01234567"
	subs := []*engine.TraceSubscription{hubs[0].Subscribe(flow), hubs[1].Subscribe(flow)}
	other := hubs[0].Subscribe("another")
	for _, s := range append(subs, other) {
		defer s.Close()
	}
	// Process 2 forwards once the wants have reached it: probe until both
	// subscribers get its runs.
	got := make([]int, len(subs))
	waitFor(t, 10*time.Second, "process 2's runs on both subscribers", func() bool {
		hubs[2].Publish(tracedRun(flow))
		time.Sleep(20 * time.Millisecond)
		done := true
		for i, s := range subs {
			runs, _ := s.Take()
			got[i] += len(runs)
			done = done && got[i] > 0
		}
		return done
	})
	time.Sleep(100 * time.Millisecond) // probes on their way
	for _, s := range subs {
		s.Take()
	}
	const per = 3 // 9 runs, below TraceRunsPerInterval: all one by one
	ids := map[string]bool{}
	for range per {
		for _, h := range hubs {
			e := tracedRun(flow)
			ids[e.ID] = true
			h.Publish(e)
		}
	}
	for i, s := range subs {
		seen := map[string]int{}
		waitFor(t, 5*time.Second, "every run", func() bool {
			runs, sum := s.Take()
			if sum != nil {
				t.Errorf("subscriber %d got a summary of %d runs, want runs one by one", i, sum.Runs)
			}
			for _, r := range runs {
				seen[runID(t, r)]++
			}
			return len(seen) == len(ids)
		})
		time.Sleep(100 * time.Millisecond)
		runs, _ := s.Take()
		for _, r := range runs {
			seen[runID(t, r)]++
		}
		for id, n := range seen {
			if !ids[id] || n != 1 {
				t.Errorf("subscriber %d got run %s %d times, want once (published: %v)", i, id, n, ids[id])
			}
		}
	}
	if runs, sum := other.Take(); len(runs) != 0 || sum != nil {
		t.Errorf("another flow's subscriber got %d runs, summary %v; want nothing", len(runs), sum)
	}
}

func runID(t *testing.T, data []byte) string {
	t.Helper()
	var r engine.TraceRun
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("run %s: %v", data, err)
	}
	return r.RunID
}

// TestTraceRelay_BadFlowID sends nothing for a flow id that cannot be a
// subject token.
func TestTraceRelay_BadFlowID(t *testing.T) {
	relay := &nats.TraceRelay{Client: mustClusterClient(t), Prefix: uniquePrefix(t)}
	if err := relay.Open(func(string) {}, func(string, []byte) {}); err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	for _, id := range []string{"", "a.b", "a*", "a b", ">"} {
		if err := relay.Want(id); err == nil {
			t.Errorf("Want(%q) = nil, want an error", id)
		}
		if err := relay.Forward(id, []byte("{}")); err == nil {
			t.Errorf("Forward(%q) = nil, want an error", id)
		}
	}
}
