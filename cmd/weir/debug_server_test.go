package main

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

// TestDebugAddrServesProfilesApart: --debug-addr serves Go's profiles on a
// listener of its own; the API never serves them.
func TestDebugAddrServesProfilesApart(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.DebugAddr, cfg.LogLevel = "127.0.0.1:0", t.TempDir(), "127.0.0.1:0", "error"
	m := &Main{Config: cfg, Stdout: &bytes.Buffer{}}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	get := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("http://" + m.debug.Addr() + "/debug/pprof/goroutine?debug=1"); code != http.StatusOK {
		t.Errorf("profiles on --debug-addr: status %d, want 200", code)
	}
	if code := get("http://" + m.Addr() + "/debug/pprof/goroutine?debug=1"); code == http.StatusOK {
		t.Errorf("the API serves profiles")
	}
	addr := m.debug.Addr()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	c := http.Client{Timeout: time.Second}
	if _, err := c.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Errorf("profiles still served after Close")
	}
}

// TestNoDebugAddrNoProfiles: without --debug-addr nothing more listens.
func TestNoDebugAddrNoProfiles(t *testing.T) {
	m, _ := startMain(t, t.TempDir())
	defer m.Close()
	if m.debug != nil {
		t.Fatalf("a profile server runs without --debug-addr")
	}
}
