package http_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// readTyped reads lines until one SSE event and returns its type and data.
func readTyped(t *testing.T, r *bufio.Reader) (typ, data string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			typ = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			return typ, strings.TrimSpace(v)
		}
	}
}

// A burst of runs past the per-interval limit, coming while the stream
// waits out its interval after a first run, arrives as that many runs one
// by one and one summary counting every other run per edge.
func TestFlowTraceStream(t *testing.T) {
	hub := &engine.TraceHub{}
	h, _, _ := debugHarness(t, func(s *weirhttp.Server) { s.Traces, s.TraceInterval = hub, 2*time.Second })
	resp := h.send("GET", h.flowPath("/trace"), h.tokA, nil, nil)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("trace = %d %s, want a 200 event stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	entry := func(id string) *weir.LogEntry {
		return &weir.LogEntry{ID: id, FlowID: h.flow.ID, Time: testNow, RunCount: 1, PathsCompleted: 1,
			Trace: &weir.RunTrace{Trigger: "b", Steps: []weir.TraceStep{{NodeID: "n1", From: -1}}}}
	}
	r := bufio.NewReader(resp.Body)
	hub.Publish(&weir.LogEntry{ID: "other", FlowID: "another flow", Trace: &weir.RunTrace{}})
	hub.Publish(entry("first"))
	if typ, data := readTyped(t, r); typ != "run" || !strings.Contains(data, `"runId":"first"`) {
		t.Fatalf("first event %s %s, want the first run of this flow", typ, data)
	}
	const n = engine.TraceRunsPerInterval + 7
	for range n {
		hub.Publish(entry(weir.NewID()))
	}
	runs, summed := 0, 0
	for runs+summed < n {
		typ, data := readTyped(t, r)
		switch typ {
		case "run":
			var run engine.TraceRun
			if err := json.Unmarshal([]byte(data), &run); err != nil || run.Trace == nil || run.Trace.Steps[0].NodeID != "n1" {
				t.Fatalf("run event %s (%v), want a run of node n1", data, err)
			}
			runs++
		case "runs":
			var sum engine.TraceSummary
			if err := json.Unmarshal([]byte(data), &sum); err != nil || len(sum.Edges) != 1 ||
				sum.Edges[0] != (engine.TraceEdge{Trigger: "b", To: "n1", Count: sum.Runs}) {
				t.Fatalf("runs event %s (%v), want one edge counted per run", data, err)
			}
			summed += sum.Runs
		default:
			t.Fatalf("event %q %s, want run or runs", typ, data)
		}
	}
	if runs != engine.TraceRunsPerInterval || summed != n-runs {
		t.Errorf("got %d runs one by one and %d summed, want %d and %d", runs, summed, engine.TraceRunsPerInterval, n-runs)
	}
}
