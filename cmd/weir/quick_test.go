package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// flowRuns sums the runs and failed paths the flow's log holds for the last
// hour.
func flowRuns(c *client, appID, flowID string) (runs, failed int) {
	c.t.Helper()
	var stats struct {
		Metrics []struct{ RunCount, PathsFailed int }
	}
	c.mustDo(200, "GET", "/applications/"+appID+"/flows/"+flowID+"/stats?duration=3600000&resolution=3600000", nil, &stats)
	for _, m := range stats.Metrics {
		runs += m.RunCount
		failed += m.PathsFailed
	}
	return runs, failed
}

// TestQuickRunsLoseNoIncrement sends 600 requests over 24 connections to a
// webhook whose flow increments one key and replies with the sum, every
// fifth request through a node that cannot execute before it is queued
// (reading every key), so that runs executed at once and queued runs
// increment the key together: each reply must carry another sum, 1 to 600,
// the key must end at 600 and the log must hold 600 runs. Most runs must
// have been executed at once (committed without being queued).
func TestQuickRunsLoseNoIncrement(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WebhookLimit, cfg.LogKeep = 0, 0
	_, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "quick"}, &app)
	var hook struct{ ID, Token string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/webhooks", map[string]any{"name": "count", "waitForReply": true}, &hook)
	flow := mustCreateFlow(c, app.ID, map[string]any{"name": "count",
		"triggers": []any{map[string]any{"type": "webhook", "key": hook.ID, "config": map[string]any{}, "outputIds": []any{[]any{"slow?"}}}},
		"nodes": []any{
			map[string]any{"id": "slow?", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.query.slow}} == 1"},
				"outputIds": []any{[]any{"incr"}, []any{"all"}}},
			map[string]any{"id": "all", "type": "GetValueNode", "config": map[string]any{"getAll": true, "valuePath": "working.all"},
				"outputIds": []any{[]any{"incr"}}},
			map[string]any{"id": "incr", "type": "StoreValueNode", "config": map[string]any{"keyName": "hits", "valueType": "incr", "value": "1", "resultPath": "working.n"},
				"outputIds": []any{[]any{"reply"}}},
			map[string]any{"id": "reply", "type": "WebhookReplyNode", "config": map[string]any{"responseCodeTemplate": "200",
				"bodyTemplateType": "json", "bodyTemplate": `{"n": {{working.n}}}`}},
		}})

	const total, conns = 600, 24
	var (
		mu   sync.Mutex
		sums []int
		wg   sync.WaitGroup
	)
	next := make(chan int, total)
	for i := range total {
		next <- i
	}
	close(next)
	errs := make(chan error, conns)
	for range conns {
		wg.Go(func() {
			for i := range next {
				resp, err := http.Get(fmt.Sprintf("%s/webhooks/%s?slow=%d", c.base, hook.Token, boolInt(i%5 == 0)))
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var r struct{ N int }
				if resp.StatusCode != 200 || json.Unmarshal(body, &r) != nil {
					errs <- fmt.Errorf("request %d = %d %s, want 200 and a sum", i, resp.StatusCode, body)
					return
				}
				mu.Lock()
				sums = append(sums, r.N)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(sums)
	for i, n := range sums {
		if n != i+1 {
			t.Fatalf("replies carried sums %v..., want each of 1 to %d once (an increment was lost or applied twice)", sums[max(0, i-3):i+1], total)
		}
	}
	if got := flowStorage(c, app.ID, flow.ID)["hits"]; got != float64(total) {
		t.Errorf("hits = %v, want %d", got, total)
	}
	if runs, failed := flowRuns(c, app.ID, flow.ID); runs != total || failed != 0 {
		t.Errorf("log holds %d runs, %d failed paths, want %d and 0", runs, failed, total)
	}
	got, _ := scrape(t, c.base, c.token)
	quick, queued := got[`weir_store_duration_seconds_count{op="commit_run"}`], got[`weir_store_duration_seconds_count{op="enqueue_run"}`]
	t.Logf("%v runs committed as executed, %v queued", quick, queued)
	if quick+queued < total || queued < total/5 || quick < total/2 {
		t.Errorf("%v runs committed as executed and %v queued, want at least %d of the %d executed at once and the %d slow ones queued",
			quick, queued, total/2, total, total/5)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// quickOutcome presses a button of flow (created from def) and returns the
// flow's storage and its log's runs and failed paths once a run is logged.
func quickOutcome(t *testing.T, quick bool, def map[string]any) (map[string]any, int, int) {
	cfg := DefaultConfig()
	cfg.QuickRuns = quick
	_, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "quick"}, &app)
	flow := mustCreateFlow(c, app.ID, def)
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+flow.ID+"/virtualButton", map[string]any{"key": flow.key}, nil)
	var runs, failed int
	waitFor(t, 20*time.Second, "the run logged", func() bool {
		runs, failed = flowRuns(c, app.ID, flow.ID)
		return runs > 0
	})
	time.Sleep(100 * time.Millisecond) // nothing else comes
	runs, failed = flowRuns(c, app.ID, flow.ID)
	return flowStorage(c, app.ID, flow.ID), runs, failed
}

// buttonFlow is a flow whose button runs nodes in a chain.
func buttonFlow(nodes ...map[string]any) map[string]any {
	for i, n := range nodes[:len(nodes)-1] {
		n["outputIds"] = []any{[]any{nodes[i+1]["id"]}}
	}
	return map[string]any{"name": "chain",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{nodes[0]["id"]}}}},
		"nodes":    toAny(nodes)}
}

func toAny(nodes []map[string]any) []any {
	out := make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = n
	}
	return out
}

func incrNode(id, key string) map[string]any {
	return map[string]any{"id": id, "type": "StoreValueNode", "config": map[string]any{"keyName": key, "valueType": "incr", "value": "1"}}
}

func scriptNode(id, script string) map[string]any {
	return map[string]any{"id": id, "type": "RawFunctionNode", "config": map[string]any{"script": script}}
}

// TestQuickRunTurnsSlow runs a flow that increments a key, then spends
// longer than a run executed at once may take, then increments another:
// the run goes to the queue and executes there, and each key is
// incremented once, as when every run is queued.
func TestQuickRunTurnsSlow(t *testing.T) {
	def := func() map[string]any {
		return buttonFlow(incrNode("a", "a"), scriptNode("spin", "var t = Date.now(); while (Date.now() - t < 1500) {}"), incrNode("b", "b"))
	}
	for _, quick := range []bool{true, false} {
		storage, runs, failed := quickOutcome(t, quick, def())
		if storage["a"] != 1.0 || storage["b"] != 1.0 || runs != 1 || failed != 0 {
			t.Errorf("quick runs %v: storage %v, %d runs logged with %d failed paths; want a and b 1, one run, none failed",
				quick, storage, runs, failed)
		}
	}
}

// TestQuickRunFailingMidway runs a flow that increments a key and then
// fails: as when every run is queued, the increment made before the
// failure is kept, nothing after it is written, and the run is logged
// with its failed path.
func TestQuickRunFailingMidway(t *testing.T) {
	def := func() map[string]any {
		return buttonFlow(incrNode("a", "a"), scriptNode("boom", "throw new Error('boom')"), incrNode("b", "b"))
	}
	for _, quick := range []bool{true, false} {
		storage, runs, failed := quickOutcome(t, quick, def())
		if _, wrote := storage["b"]; storage["a"] != 1.0 || wrote || runs != 1 || failed != 1 {
			t.Errorf("quick runs %v: storage %v, %d runs logged with %d failed paths; want a 1, no b, one run with one failed path",
				quick, storage, runs, failed)
		}
	}
}
