package main

import (
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// TestRunawayChainBounded presses, with the press limit off, the button of
// a flow whose runs press it twice each: the chain must stop at
// engine.MaxChainRuns runs besides the first, with ChainLimitError in the
// logs of the runs refused, instead of doubling without end.
func TestRunawayChainBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PressLimit = 0
	_, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "runaway"}, &app)
	var flow struct {
		ID       string
		Triggers []map[string]any
	}
	path := "/applications/" + app.ID + "/flows"
	c.mustDo(201, "POST", path, map[string]any{
		"name":     "Twice",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": [][]string{{"count"}}}},
		"nodes": []any{map[string]any{"id": "count", "type": "StoreValueNode",
			"config": map[string]any{"keyName": "runs", "valueType": "incr", "value": "1"}}},
	}, &flow)
	path += "/" + flow.ID
	key := flow.Triggers[0]["key"].(string)
	press := func(id string) map[string]any {
		return map[string]any{"id": id, "type": "WorkflowTriggerNode", "config": map[string]any{
			"triggerWorkflowId": flow.ID, "triggerVirtualButtonId": key, "flowVersionTemplate": "develop",
			"payloadTemplateType": "json", "payloadTemplate": `{}`}}
	}
	c.mustDo(200, "PATCH", path, map[string]any{"nodes": []any{
		map[string]any{"id": "count", "type": "StoreValueNode",
			"config":    map[string]any{"keyName": "runs", "valueType": "incr", "value": "1"},
			"outputIds": [][]string{{"a", "b"}}},
		press("a"), press("b"),
	}}, nil)
	start := time.Now()
	c.mustDo(200, "POST", path+"/virtualButton", map[string]any{"key": key}, nil)

	// 1,001 runs take long under the race detector on a loaded machine: the
	// waits below end as soon as their condition holds, and their bound
	// only keeps a broken chain from hanging the test.
	const want = engine.MaxChainRuns + 1
	deadline := start.Add(10 * time.Minute)
	var storage map[string]float64
	for {
		c.mustDo(200, "GET", path+"/storage", nil, &storage)
		if storage["runs"] > want {
			t.Fatalf("%v runs after %v: the chain is not bounded at %d", storage["runs"], time.Since(start), want)
		}
		if storage["runs"] == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v runs after %v, want %d (the first and %d it started)", storage["runs"], time.Since(start), want, engine.MaxChainRuns)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The run started last started no other: its presses were refused.
	var logs []struct {
		Errors []struct {
			Error struct{ Name, Message string }
		}
	}
	for {
		c.mustDo(200, "GET", path+"/logs?limit=1", nil, &logs)
		if len(logs) > 0 && len(logs[0].Errors) > 0 && logs[0].Errors[0].Error.Name == "ChainLimitError" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("newest log entries %+v, want ChainLimitError", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Every run of the chain has pressed: none starts any more.
	time.Sleep(time.Second)
	c.mustDo(200, "GET", path+"/storage", nil, &storage)
	if storage["runs"] != want {
		t.Fatalf("the chain ran %v runs, want %d (the first and %d it started)", storage["runs"], want, engine.MaxChainRuns)
	}
	t.Logf("%v runs in %v; %s", storage["runs"], time.Since(start).Round(time.Millisecond), logs[0].Errors[0].Error.Message)
}
