package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHTTPEgressSetting runs a flow whose HTTP node calls a server on
// loopback: the default (lan) lets it through, --http-egress public blocks
// it at dial time, and an unknown policy stops weir from starting.
func TestHTTPEgressSetting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`"pong"`)) }))
	defer srv.Close()
	for _, tc := range []struct {
		egress, want string
	}{{"", "pong"}, {"public", "EACCES"}, {"all", "pong"}} {
		cfg := DefaultConfig()
		cfg.Addr, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", t.TempDir(), "warn"
		if tc.egress != "" {
			cfg.HTTPEgress = tc.egress
		}
		var out bytes.Buffer
		m := &Main{Config: cfg, Stdout: &out}
		if err := m.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
		var app struct{ ID string }
		c.mustDo(201, "POST", "/applications", map[string]any{"name": "egress"}, &app)
		var flow struct {
			ID       string
			Triggers []struct{ Key string }
		}
		c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
			"name":     "call",
			"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"get"}}}},
			"nodes": []any{
				map[string]any{"id": "get", "type": "HttpNode", "config": map[string]any{"uriTemplate": srv.URL, "responsePath": "working.res",
					"errorBehavior": "payloadPath", "errorPath": "working.err"}, "outputIds": []any{[]any{"keep"}}},
				map[string]any{"id": "keep", "type": "StoreValueNode", "config": map[string]any{"keyName": "got", "valueType": "template",
					"value": "{{working.res.body}}{{working.err.error.code}}"}},
			},
		}, &flow)
		flowPath := "/applications/" + app.ID + "/flows/" + flow.ID
		c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": flow.Triggers[0].Key}, nil)
		var storage map[string]any
		waitFor(t, 10*time.Second, "the run", func() bool {
			c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
			return storage["got"] != nil
		})
		if storage["got"] != tc.want {
			t.Errorf("--http-egress %q: the HTTP node got %v, want %s", tc.egress, storage["got"], tc.want)
		}
		m.Close()
	}

	cfg := DefaultConfig()
	cfg.DataDir, cfg.HTTPEgress = t.TempDir(), "private"
	if err := cfg.Validate(); err == nil {
		t.Error("--http-egress private was accepted")
	}
}

// TestHTTPNodeNeverReachesOwnListeners runs a flow whose HTTP nodes call
// weir's own API, its MQTT endpoint for devices (TCP and WebSockets) and its profiling listener (which would hand out the
// command line) under --http-egress all: both are refused before
// connecting, with EACCES naming the address.
func TestHTTPNodeNeverReachesOwnListeners(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.LogLevel, cfg.HTTPEgress, cfg.DebugAddr = "127.0.0.1:0", t.TempDir(), "warn", "all", "127.0.0.1:0"
	cfg.MQTTAddr, cfg.MQTTWSAddr = "127.0.0.1:0", "127.0.0.1:0"
	var out bytes.Buffer
	m := &Main{Config: cfg, Stdout: &out}
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, apiPort, _ := net.SplitHostPort(m.Addr())
	c := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "egress"}, &app)
	call := func(id, url, next string) map[string]any {
		n := map[string]any{"id": id, "type": "HttpNode", "config": map[string]any{"uriTemplate": url, "responsePath": "working." + id,
			"errorBehavior": "payloadPath", "errorPath": "working." + id}}
		if next != "" {
			n["outputIds"] = []any{[]any{next}}
		}
		return n
	}
	var flow struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name":     "call home",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"debug"}}}},
		"nodes": []any{
			call("debug", "http://"+m.debug.Addr()+"/debug/pprof/cmdline", "api"),
			call("api", "http://127.0.0.1:"+apiPort+"/applications", "wildcard"),
			call("wildcard", "http://0.0.0.0:"+apiPort+"/applications", "mqtt"),
			call("mqtt", "http://"+m.MQTTAddr()+"/", "mqttws"),
			call("mqttws", "http://"+m.MQTTWebSocketAddr()+"/mqtt", "keep"),
			map[string]any{"id": "keep", "type": "StoreValueNode", "config": map[string]any{"keyName": "got", "valueType": "path",
				"value": "working"}},
		},
	}, &flow)
	flowPath := "/applications/" + app.ID + "/flows/" + flow.ID
	c.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": flow.Triggers[0].Key}, nil)
	var storage map[string]map[string]struct {
		StatusCode any
		Error      struct{ Code, Message string }
	}
	waitFor(t, 10*time.Second, "the run", func() bool {
		c.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
		return storage["got"] != nil
	})
	for id, addr := range map[string]string{"debug": m.debug.Addr(), "api": "127.0.0.1:" + apiPort, "wildcard": "0.0.0.0:" + apiPort,
		"mqtt": m.MQTTAddr(), "mqttws": m.MQTTWebSocketAddr()} {
		got := storage["got"][id]
		if got.Error.Code != "EACCES" || !strings.Contains(got.Error.Message, addr) || !strings.Contains(got.Error.Message, "own listener") {
			t.Errorf("HTTP node calling weir's %s listener: %+v, want EACCES naming %s and weir's own listener", id, got, addr)
		}
	}
}
