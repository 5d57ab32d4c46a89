package http_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// debugHarness is a harness whose server streams from hub.
func debugHarness(t *testing.T, configure ...func(s *weirhttp.Server)) (*harness, *engine.DebugHub, *weirhttp.Server) {
	h := newHarness(t)
	hub := &engine.DebugHub{}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Runs, s.Logs, s.Storage = h.store, h.store, h.store, h.store, h.store, h.store
	s.Signer, s.Now, s.Debug = h.signer, func() time.Time { return testNow }, hub
	for _, c := range configure {
		c(s)
	}
	h.srv = httptest.NewServer(s.Handler())
	t.Cleanup(h.srv.Close)
	return h, hub, s
}

// readEvent reads lines until one SSE event's data line.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	_, data := readTyped(t, r)
	return data
}

func TestFlowDebugStream(t *testing.T) {
	h, hub, s := debugHarness(t)
	hub.Publish(engine.DebugMessage{FlowID: h.flow.ID, Message: "before", Payload: map[string]any{"a": 1.0}})
	resp := h.send("GET", h.flowPath("/debug"), h.tokA, nil, nil)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("debug = %d %s, want a 200 event stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	if got := readEvent(t, r); !strings.Contains(got, `"message":"before"`) || !strings.Contains(got, `"payload":{"a":1}`) {
		t.Errorf("first event %s, want the recent message with its payload", got)
	}
	hub.Publish(engine.DebugMessage{FlowID: "another flow", Message: "not mine"})
	hub.Publish(engine.DebugMessage{FlowID: h.flow.ID, Message: "live"})
	if got := readEvent(t, r); !strings.Contains(got, `"message":"live"`) {
		t.Errorf("second event %s, want the live message of this flow only", got)
	}
	done := make(chan struct{})
	go func() { _, _ = r.ReadString(0); close(done) }()
	s.StopStreams()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("StopStreams did not end the stream")
	}
}

func TestFlowDebugStreamAuth(t *testing.T) {
	h, _, _ := debugHarness(t)
	tests := []struct {
		name   string
		token  string
		status int
		typ    weir.ErrorType
	}{
		{"ErrNoToken", "", http.StatusForbidden, weir.Forbidden},
		{"ErrWrongScope", h.token(weir.OwnerApplication, h.appA, "flow.get"), http.StatusForbidden, weir.Forbidden},
		{"ErrOtherApplication", h.tokB, http.StatusNotFound, weir.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := h.do("GET", h.flowPath("/debug"), tc.token, nil)
			wantError(t, status, b, tc.status, tc.typ, "")
		})
	}
	for _, scope := range []string{"flow.debug", "all.Application.read"} {
		resp := h.send("GET", h.flowPath("/debug"), h.token(weir.OwnerApplication, h.appA, scope), nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s token: debug = %d, want 200", scope, resp.StatusCode)
		}
	}
}

// TestFlowDebugStreamEndsWhenTokenRevoked deletes the token of an open
// stream: the stream ends at the next recheck, while a stream opened with
// a token still valid goes on.
func TestFlowDebugStreamEndsWhenTokenRevoked(t *testing.T) {
	h, hub, s := debugHarness(t)
	s.DebugRecheck = 20 * time.Millisecond
	revoked := h.token(weir.OwnerApplication, h.appA, "all.Application")
	streams := map[string]*bufio.Reader{}
	for name, tok := range map[string]string{"revoked": revoked, "valid": h.tokA} {
		resp := h.send("GET", h.flowPath("/debug"), tok, nil, nil)
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s stream = %d, want 200", name, resp.StatusCode)
		}
		streams[name] = bufio.NewReader(resp.Body)
	}
	if err := h.store.DeleteToken(t.Context(), h.tokenID(revoked)); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := streams["revoked"].ReadString(0)
		ended <- err
	}()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream of a deleted token is still open after 5 s")
	}
	hub.Publish(engine.DebugMessage{FlowID: h.flow.ID, Message: "still here"})
	if got := readEvent(t, streams["valid"]); !strings.Contains(got, "still here") {
		t.Errorf("valid stream got %s, want the new message", got)
	}
}
