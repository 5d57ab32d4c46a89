package main

import (
	"bytes"
	"testing"
	"time"
)

// TestDeviceInactivityAcrossRestarts runs a device inactivity trigger in
// weir serve over SQLite: a silence fires once, a restart neither fires it
// again nor loses a silence that ended while weir was down, and the next
// report re-arms the trigger. A command sent over REST starts the flow's
// Device: Command trigger.
func TestDeviceInactivityAcrossRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for silences of a few seconds")
	}
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.MQTTAddr = "127.0.0.1:0", t.TempDir(), "warn", ""
	var out bytes.Buffer
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	token := ownerToken(t, out.String())
	c := &client{t: t, base: "http://" + m.Addr(), token: token}
	reopen := func() {
		t.Helper()
		m.Close()
		m = &Main{Config: cfg, Stdout: &bytes.Buffer{}}
		if err := m.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		c = &client{t: t, base: "http://" + m.Addr(), token: token}
	}
	t.Cleanup(func() { m.Close() })

	app, dev, flow := watchDevice(c)
	silences := func() float64 {
		n, _ := flowStorage(c, app, flow)["silences"].(float64)
		return n
	}
	report := func() {
		t.Helper()
		c.mustDo(200, "POST", "/applications/"+app+"/devices/"+dev+"/state", map[string]any{"data": map[string]any{"temp": 20}}, nil)
	}
	stays := func(want float64) {
		t.Helper()
		time.Sleep(2500 * time.Millisecond)
		if n := silences(); n != want {
			t.Fatalf("silences = %v, want %v", n, want)
		}
	}

	report()
	waitFor(t, 15*time.Second, "the first silence", func() bool { return silences() == 1 })
	stays(1)
	reopen()
	stays(1) // a restart does not fire the silence again

	report()
	m.Close() // down before the silence ends
	time.Sleep(1500 * time.Millisecond)
	reopen()
	waitFor(t, 15*time.Second, "the silence that ended while weir was down", func() bool { return silences() == 2 })
	stays(2)

	c.mustDo(200, "POST", "/applications/"+app+"/devices/"+dev+"/command", map[string]any{"name": "reboot"}, nil)
	waitFor(t, 15*time.Second, "the device command trigger", func() bool {
		return flowStorage(c, app, flow)["cmd"] == "deviceCommand reboot"
	})
}

// TestDeviceInactivityScaledOut checks that two processes over one
// PostgreSQL store and NATS queue, both checking silences, fire each one
// once.
func TestDeviceInactivityScaledOut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for silences of a few seconds")
	}
	ms, token := startCluster(t, 2, nil)
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: token}
	app, dev, flow := watchDevice(c)
	silences := func() float64 {
		n, _ := flowStorage(c, app, flow)["silences"].(float64)
		return n
	}
	for round := 1; round <= 2; round++ {
		c.mustDo(200, "POST", "/applications/"+app+"/devices/"+dev+"/state", map[string]any{"data": map[string]any{"temp": 20}}, nil)
		waitFor(t, 20*time.Second, "the silence", func() bool { return silences() >= float64(round) })
		time.Sleep(3 * time.Second)
		if n := silences(); n != float64(round) {
			t.Fatalf("round %d: silences = %v, want %d", round, n, round)
		}
	}
}

// watchDevice creates an application, a device and an enabled flow whose
// deviceIdInactivity trigger (1 s) counts the device's silences in storage
// key "silences" and whose deviceCommand trigger stores "cmd"; it returns
// their ids.
func watchDevice(c *client) (app, dev, flow string) {
	var a, d, f struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "plant"}, &a)
	c.mustDo(201, "POST", "/applications/"+a.ID+"/devices", map[string]any{"name": "boiler",
		"attributes": []any{map[string]any{"name": "temp", "dataType": "number"}}}, &d)
	c.mustDo(201, "POST", "/applications/"+a.ID+"/flows", map[string]any{
		"name": "watch", "enabled": true,
		"triggers": []any{
			map[string]any{"type": "deviceIdInactivity", "key": d.ID, "config": map[string]any{"seconds": 1}, "outputIds": []any{[]any{"count"}}},
			map[string]any{"type": "deviceCommand", "key": "deviceCommand", "config": map[string]any{}, "outputIds": []any{[]any{"cmd"}}},
		},
		"nodes": []any{
			map[string]any{"id": "count", "type": "StoreValueNode", "config": map[string]any{"keyName": "silences", "valueType": "incr", "value": "1"}},
			map[string]any{"id": "cmd", "type": "StoreValueNode", "config": map[string]any{"keyName": "cmd", "valueType": "template", "value": "{{triggerType}} {{data.name}}"}},
		},
	}, &f)
	return a.ID, d.ID, f.ID
}

// flowStorage returns a flow's storage.
func flowStorage(c *client, app, flow string) map[string]any {
	var s map[string]any
	c.mustDo(200, "GET", "/applications/"+app+"/flows/"+flow+"/storage", nil, &s)
	return s
}
