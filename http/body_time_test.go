package http_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// slowClient sends a request over TCP whose body (n bytes, announced in
// Content-Length) trickles in one byte every 100 ms, as a client holding
// connections would. It returns the response, how long it took, and
// whether the server closed the connection within 3 s after answering.
func slowClient(t *testing.T, srvURL, method, path, token string, n int) (resp *http.Response, body []byte, took time.Duration, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srvURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: weir\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", method, path, n)
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range n {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	br := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%s %s: no response: %v", method, path, err)
	}
	took = time.Since(start)
	body, _ = io.ReadAll(resp.Body)
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = br.ReadByte()
	return resp, body, took, err == io.EOF || err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestSlowBodyIsCutOff sends bodies at one byte per 100 ms, which would
// take 5 s, to a server giving bodies 300 ms: a REST press and a webhook
// answer 408 RequestTimeout at the deadline and close the connection, and
// a route that never reads its body answers at once and closes the
// connection at the deadline instead of leaving it to the client.
func TestSlowBodyIsCutOff(t *testing.T) {
	h := newWebhookHarness(t, func(s *weirhttp.Server) { s.BodyReadTimeout = 300 * time.Millisecond })
	hook := h.mustWebhook(nil)
	h.mustWebhookFlow(h.appA, "hooked", hook.ID, true)
	for _, tc := range []struct {
		name, method, path, token string
		status                    int
	}{
		{"RESTPress", "POST", h.flowPath("/virtualButton"), h.user, 408},
		{"Webhook", "POST", "/webhooks/" + hook.Token, "", 408},
		{"BodyNeverRead", "GET", "/health", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body, took, closed := slowClient(t, h.srv.URL, tc.method, tc.path, tc.token, 50)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, tc.status)
			}
			if tc.status == 408 {
				wantError(t, resp.StatusCode, body, 408, weir.RequestTimeout, "")
				if took < 250*time.Millisecond || took > 2*time.Second {
					t.Errorf("answered after %s, want about the 300 ms the body was given", took)
				}
			}
			if !closed {
				t.Errorf("the connection of a body still trickling in was kept open")
			}
			if n := len(h.store.queued()); n != 0 {
				t.Errorf("%d runs queued from a body that never arrived", n)
			}
		})
	}
}

// TestBodyTimeoutSparesWaits: with bodies given 200 ms, a webhook that
// waits 600 ms for its reply gets it, and a debug stream stays open and
// delivers what is published after the 200 ms.
func TestBodyTimeoutSparesWaits(t *testing.T) {
	t.Run("WebhookReply", func(t *testing.T) {
		h := newWebhookHarness(t, func(s *weirhttp.Server) { s.BodyReadTimeout = 200 * time.Millisecond })
		wh := h.mustWebhook(func(w *weir.Webhook) { w.WaitForReply = true })
		h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
		go func() {
			time.Sleep(600 * time.Millisecond)
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if runs := h.store.queued(); len(runs) == 1 {
					id, _ := decode(t, runs[0].Data)["replyId"].(string)
					_ = h.hub.Deliver(id, engine.Reply{StatusCode: 201, Body: []byte("late")})
					return
				}
			}
		}()
		resp, b := h.call("POST", "/webhooks/"+wh.Token, strings.NewReader(`{"a":1}`), http.Header{"Content-Type": {"application/json"}})
		if resp.StatusCode != 201 || string(b) != "late" {
			t.Fatalf("webhook waiting 600 ms = %d %q, want the reply", resp.StatusCode, b)
		}
	})
	t.Run("DebugStream", func(t *testing.T) {
		h, hub, _ := debugHarness(t, func(s *weirhttp.Server) { s.BodyReadTimeout = 200 * time.Millisecond })
		resp := h.send("GET", h.flowPath("/debug"), h.tokA, nil, nil)
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		time.Sleep(600 * time.Millisecond)
		hub.Publish(engine.DebugMessage{FlowID: h.flow.ID, Message: "after the body timeout"})
		if got := readEvent(t, r); !strings.Contains(got, "after the body timeout") {
			t.Errorf("event %s, want the message published after 600 ms", got)
		}
	})
}
