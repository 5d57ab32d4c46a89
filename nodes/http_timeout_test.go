package nodes_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHTTPNode_TimeoutCoversTheBody checks that the node's timeout bounds
// the whole exchange, not only the wait for headers: a server that answers
// its headers at once and then stalls mid-body is cut off at the timeout.
func TestHTTPNode_TimeoutCoversTheBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	run := runFlowNode(t, t.Context(), "HttpNode", map[string]any{
		"uriTemplate": srv.URL, "timeoutTemplate": "0.2", "responsePath": "working.res",
		"errorBehavior": "payloadPath", "errorPath": "working.err",
	}, nil)
	e, _ := run.working["err"].(map[string]any)
	inner, _ := e["error"].(map[string]any)
	if inner["name"] != "TimeoutError" || inner["code"] != "ETIMEDOUT" {
		t.Fatalf("stalled body: errorPath %v, want TimeoutError ETIMEDOUT", e)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a 0.2 s timeout took %s", d)
	}
}

// TestHTTPNode_RedirectLimit follows a server that redirects to itself
// forever: the node stops after 10 redirects with a RequestError.
func TestHTTPNode_RedirectLimit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	run := runFlowNode(t, t.Context(), "HttpNode", map[string]any{
		"uriTemplate": srv.URL + "/loop", "responsePath": "working.res",
		"errorBehavior": "payloadPath", "errorPath": "working.err",
	}, nil)
	e, _ := run.working["err"].(map[string]any)
	inner, _ := e["error"].(map[string]any)
	msg, _ := inner["message"].(string)
	if inner["name"] != "RequestError" || !strings.Contains(msg, "10 redirects") {
		t.Fatalf("redirect loop: errorPath %v, want RequestError naming 10 redirects", e)
	}
	if n := hits.Load(); n != 11 {
		t.Errorf("server saw %d requests, want the first and 10 redirects", n)
	}
}
