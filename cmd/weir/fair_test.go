package main

import (
	"testing"
	"time"
)

// TestFlowCannotStarveOthers saturates the workers with runs of one flow
// (12 presses of a 5 s Delay for 8 workers) and measures how long a run of
// another flow then waits: with workers shared among flows (the default,
// half of them at most for one flow) it runs at once; without (one flow may
// take them all, as before the shares), it waits for the first runs to end.
func TestFlowCannotStarveOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for delayed runs")
	}
	sqlite := func(t *testing.T, set func(*Config)) *client {
		cfg := DefaultConfig()
		set(&cfg)
		_, c := openMain(t, cfg)
		return c
	}
	postgres := func(t *testing.T, set func(*Config)) *client {
		cfg := DefaultConfig()
		cfg.Store = mustPostgresStore(t)
		set(&cfg)
		_, c := openMain(t, cfg)
		return c
	}
	cluster := func(t *testing.T, set func(*Config)) *client {
		ms, token := startCluster(t, 1, set)
		return &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	}
	for _, tc := range []struct {
		name        string
		open        func(t *testing.T, set func(*Config)) *client
		flowWorkers int
		fair        bool
	}{
		{"Shared", sqlite, 0, true},
		{"Unshared", sqlite, 8, false},
		{"SharedPostgres", postgres, 0, true},
		{"SharedNATS", cluster, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.open(t, func(cfg *Config) {
				cfg.Workers, cfg.FlowWorkers, cfg.AppWorkers, cfg.Shutdown = 8, tc.flowWorkers, tc.flowWorkers, 100*time.Millisecond
				// The workers' shares are the queue's: the second flow's run
				// would execute as it is accepted, never waiting for a worker.
				cfg.QuickRuns = false
			})
			var app struct{ ID string }
			c.mustDo(201, "POST", "/applications", map[string]any{"name": "busy"}, &app)
			flow := func(name string, node map[string]any) (path, key string) {
				var f struct {
					ID       string
					Triggers []struct{ Key string }
				}
				node["id"] = "n"
				c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
					"name":     name,
					"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": [][]string{{"n"}}}},
					"nodes":    []any{node},
				}, &f)
				return "/applications/" + app.ID + "/flows/" + f.ID, f.Triggers[0].Key
			}
			slowPath, slowKey := flow("Slow", map[string]any{"type": "DelayNode", "config": map[string]any{"delay": "5"}})
			quickPath, quickKey := flow("Quick", map[string]any{"type": "StoreValueNode",
				"config": map[string]any{"keyName": "ran", "valueType": "incr", "value": "1"}})
			for i := range 12 {
				c.mustDo(200, "POST", slowPath+"/virtualButton", map[string]any{"key": slowKey, "payload": map[string]any{"i": i}}, nil)
			}
			time.Sleep(300 * time.Millisecond) // the slow runs take the workers
			start := time.Now()
			c.mustDo(200, "POST", quickPath+"/virtualButton", map[string]any{"key": quickKey}, nil)
			var storage map[string]any
			waitFor(t, 15*time.Second, "the quick flow's run", func() bool {
				c.mustDo(200, "GET", quickPath+"/storage", nil, &storage)
				return storage["ran"] != nil
			})
			waited := time.Since(start)
			t.Logf("%s: another flow's run waited %v while one flow saturated the workers", tc.name, waited.Round(time.Millisecond))
			switch {
			case tc.fair && waited > 2*time.Second:
				// Not 0: a NATS claim may see a run only at its next poll (1 s).
				t.Errorf("the quick flow's run waited %v behind the slow flow's runs, want under 2 s", waited)
			case !tc.fair && waited < 4*time.Second:
				t.Errorf("without shares the quick run waited only %v: the slow flow did not saturate the workers, so this test proves nothing", waited)
			}
		})
	}
}
