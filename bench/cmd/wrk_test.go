package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir/bench/loadgen"
)

// TestRunWrk drives a test server with wrk: every request must arrive as
// given (method, headers, a body with quotes, escapes and UTF-8), the paths
// taken in turn, and the figures must match what the server saw.
func TestRunWrk(t *testing.T) {
	bin := wrkBinary()
	if bin == "" {
		t.Skip("wrk is not installed")
	}
	body := "{\"a\":\"quote \\\" backslash \\\\ newline \\n\",\"é\":\"ü\u00a0\"}\n"
	var mu sync.Mutex
	paths := map[string]int{}
	bad := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		paths[r.URL.Path]++
		if r.Method != "POST" || string(b) != body || r.Header.Get("X-Bench") != "1" {
			bad++
		}
		mu.Unlock()
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	req := func(path string) loadgen.Request {
		return loadgen.Request{Method: "POST", URL: srv.URL + path, Header: map[string]string{"X-Bench": "1"}, Body: []byte(body)}
	}
	res, err := runWrk(t.Context(), bin, t.TempDir(), 4, time.Second, []loadgen.Request{req("/a"), req("/b"), req("/fail")})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	total := paths["/a"] + paths["/b"] + paths["/fail"]
	if bad != 0 || paths["/a"] == 0 || paths["/b"] == 0 || paths["/fail"] == 0 || len(paths) != 3 {
		t.Errorf("server saw %v, %d of them not as sent", paths, bad)
	}
	if res.Answered == 0 || res.Answered > total || res.Errors < res.Answered/4 || res.Errors > res.Answered/2 {
		t.Errorf("runWrk() = %+v; the server answered %d, a third with status 418", res, total)
	}
	if res.Throughput <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.CPU <= 0 || res.Elapsed < 900*time.Millisecond {
		t.Errorf("runWrk() = %+v, want positive rates, ordered percentiles and wrk's CPU", res)
	}
}
