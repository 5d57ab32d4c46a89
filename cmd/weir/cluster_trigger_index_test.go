package main

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestClusterTriggerIndexSeesFlowFromOtherProcess reports states on process
// A, whose trigger index of the application is built and empty, creates a
// flow with a deviceId trigger on process B, and keeps reporting on A: a
// report sent within the cache's 1 s bound after B answered starts the
// flow.
func TestClusterTriggerIndexSeesFlowFromOtherProcess(t *testing.T) {
	ms, token := startCluster(t, 2, func(cfg *Config) { cfg.DeviceLimit = 0 }) // a report each poll
	a := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	b := &client{t: t, base: "http://" + ms[1].Addr(), token: token}
	var app, dev struct{ ID string }
	a.mustDo(201, "POST", "/applications", map[string]any{"name": "plant"}, &app)
	a.mustDo(201, "POST", "/applications/"+app.ID+"/devices", map[string]any{"name": "boiler",
		"attributes": []any{map[string]any{"name": "n", "dataType": "number"}}}, &dev)
	var mu sync.Mutex
	var sent []time.Time // sent[n]: when report n was sent
	report := func() {
		mu.Lock()
		n := len(sent)
		sent = append(sent, time.Now())
		mu.Unlock()
		a.mustDo(200, "POST", "/applications/"+app.ID+"/devices/"+dev.ID+"/state", map[string]any{"data": map[string]any{"n": n}}, nil)
	}
	report() // A now holds the application's index, with no flow

	var flow struct{ ID string }
	b.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "react", "enabled": true,
		"triggers": []any{map[string]any{"type": "deviceId", "key": dev.ID, "config": map[string]any{}, "outputIds": []any{[]any{"store"}}}},
		"nodes": []any{map[string]any{"id": "store", "type": "StoreValueNode",
			"config": map[string]any{"keyName": "r{{data.n}}", "valueType": "template", "value": "ran"}}},
	}, &flow)
	created := time.Now()
	// fired returns the reports that started the flow (storage key rN).
	fired := func() []int {
		var s map[string]any
		a.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flow.ID+"/storage", nil, &s)
		var ns []int
		for k := range s {
			var n int
			if _, err := fmt.Sscanf(k, "r%d", &n); err == nil {
				ns = append(ns, n)
			}
		}
		return ns
	}
	waitFor(t, 10*time.Second, "a report on A to start the flow created on B", func() bool {
		report()
		return len(fired()) > 0
	})
	// Every report from the first that fired on fires: the index never
	// goes back to a stale state.
	var ns []int
	waitFor(t, 10*time.Second, "every later report to start the flow", func() bool {
		ns = fired()
		for n := slices.Min(ns); n < len(sent); n++ {
			if !slices.Contains(ns, n) {
				return false
			}
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(ns, 0) {
		t.Fatal("the report sent before the flow existed started it")
	}
	first := slices.Min(ns)
	if d := sent[first].Sub(created); d > 900*time.Millisecond {
		t.Errorf("A ignored the flow created on B for %v, want less than the cache's 1 s", d)
	}
	t.Logf("first report on A to start the flow: %v after B created it (report %d)", sent[first].Sub(created).Round(time.Millisecond), first)
}
