package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
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

// TestListenersCutSlowClients: both of weir's listeners, the API and the
// profiles, close a connection whose body trickles in (one byte per 100 ms)
// once the body's time is up (shortened here to 300 ms), and bound headers
// and idle connections.
func TestListenersCutSlowClients(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.DebugAddr, cfg.LogLevel = "127.0.0.1:0", t.TempDir(), "127.0.0.1:0", "error"
	m := &Main{Config: cfg, Stdout: &bytes.Buffer{}, bodyReadTimeout: 300 * time.Millisecond}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for name, addr := range map[string]string{"api": m.Addr(), "debug": m.debug.Addr()} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := io.WriteString(conn, "POST /webhooks/x HTTP/1.1\r\nHost: weir\r\nContent-Length: 100\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		go func() {
			for range 100 {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = io.Copy(io.Discard, conn) // the answer, then the close (or a reset: the body was left unread)
		took := time.Since(start)
		close(stop)
		conn.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || took > 3*time.Second {
			t.Errorf("%s listener: connection held %s (%v) by a body sent at 10 bytes/s, want it closed after about 300 ms", name, took, err)
		}
	}
	for name, s := range map[string]*http.Server{"api": m.server, "debug": m.debug.server} {
		if s.ReadHeaderTimeout == 0 || s.IdleTimeout == 0 {
			t.Errorf("%s listener: ReadHeaderTimeout %s, IdleTimeout %s, want both set", name, s.ReadHeaderTimeout, s.IdleTimeout)
		}
	}
}
