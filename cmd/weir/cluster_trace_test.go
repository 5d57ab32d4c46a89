package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// nextSSE reads one Server-Sent Event and returns its type and data.
func nextSSE(t *testing.T, r *bufio.Reader) (typ, data string) {
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

// TestClusterTraceFromOtherProcess opens a flow's live trace stream on
// process A, which executes nothing, while process B executes a burst of the
// flow's runs: every run reaches A's stream once, one by one or counted per
// edge.
func TestClusterTraceFromOtherProcess(t *testing.T) {
	ms, token := startCluster(t, 2, nil)
	a := ms[0]
	stopExecuting(t, a)
	c := &client{t: t, base: "http://" + a.Addr(), token: token}
	appID, flowID, key := setupCounter(c)
	flowPath := "/applications/" + appID + "/flows/" + flowID
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second) // a missing run fails, not hangs
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+flowPath+"/trace?access_token="+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("trace stream on A = %d, want 200", resp.StatusCode)
	}
	r := bufio.NewReader(resp.Body)
	time.Sleep(time.Second) // A's want reaches B within milliseconds
	const presses = 30
	for i := range presses {
		value := 70
		if i%3 == 0 {
			value = 10
		}
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"value": value}}, nil)
	}
	runs, summed := 0, 0
	high := 0 // runs that went cond → incr, one by one or summed
	for runs+summed < presses {
		typ, data := nextSSE(t, r)
		switch typ {
		case "run":
			var run engine.TraceRun
			if err := json.Unmarshal([]byte(data), &run); err != nil || run.Trace == nil || len(run.Trace.Steps) == 0 {
				t.Fatalf("run event %s (%v), want a run with its steps", data, err)
			}
			var nodes []string
			for _, s := range run.Trace.Steps {
				nodes = append(nodes, s.NodeID)
			}
			if !slices.Equal(nodes, []string{"cond", "incr", "dbg"}) && !slices.Equal(nodes, []string{"cond", "low"}) {
				t.Errorf("run %s went through %v, want cond, incr, dbg or cond, low", run.RunID, nodes)
			}
			if slices.Contains(nodes, "incr") {
				high++
			}
			runs++
		case "runs":
			var sum engine.TraceSummary
			if err := json.Unmarshal([]byte(data), &sum); err != nil || sum.Runs == 0 {
				t.Fatalf("runs event %s (%v), want a summary", data, err)
			}
			for _, e := range sum.Edges {
				if e.Trigger != "" && e.To == "cond" && e.Count != sum.Runs {
					t.Errorf("summary of %d runs counts trigger → cond %d times", sum.Runs, e.Count)
				}
				if e.From == "cond" && e.To == "incr" {
					high += e.Count
				}
			}
			summed += sum.Runs
		default:
			t.Fatalf("event %q %s, want run or runs", typ, data)
		}
	}
	if runs+summed != presses || high != presses-presses/3 {
		t.Errorf("A's stream counted %d runs one by one and %d summed, %d through incr; want %d runs, %d through incr",
			runs, summed, high, presses, presses-presses/3)
	}
	if runs == 0 {
		t.Errorf("A's stream showed no run one by one")
	}
}
