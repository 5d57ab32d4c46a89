package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
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
