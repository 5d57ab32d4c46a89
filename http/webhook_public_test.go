package http_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// mustWebhook stores a webhook of application A; modify (when not nil)
// adjusts it first.
func (h *webhookHarness) mustWebhook(modify func(w *weir.Webhook)) *weir.Webhook {
	h.t.Helper()
	w := &weir.Webhook{ApplicationID: h.appA, Name: "hook", ResponseCode: 200, VerificationType: weir.VerificationNone}
	if modify != nil {
		modify(w)
	}
	if err := h.hooks.CreateWebhook(h.t.Context(), w); err != nil {
		h.t.Fatal(err)
	}
	return w
}

// mustWebhookFlow stores a flow of appID whose webhook trigger, keyed by
// webhookID, feeds a debug node.
func (h *webhookHarness) mustWebhookFlow(appID, name, webhookID string, enabled bool) *weir.Flow {
	h.t.Helper()
	f := &weir.Flow{
		ID: weir.NewID(), ApplicationID: appID, Name: name, Enabled: enabled, FlowClass: weir.FlowClassCloud,
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{Type: "webhook", Key: webhookID, Config: json.RawMessage(`{}`), OutputIDs: [][]string{{"n1"}}}},
			Nodes:    []weir.Node{{ID: "n1", Type: "DebugNode"}},
		},
	}
	if err := h.store.CreateFlow(h.t.Context(), f); err != nil {
		h.t.Fatal(err)
	}
	return f
}

// call sends a request to a webhook URL (path after the host).
func (h *webhookHarness) call(method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, mustRead(h.t, resp)
}

// runData decodes a queued run's data.
func runData(t *testing.T, r *weir.Run) map[string]any {
	t.Helper()
	return decode(t, r.Data)
}

func TestWebhookRequest_NoWait(t *testing.T) {
	h := newWebhookHarness(t, nil)
	wh := h.mustWebhook(nil)
	f := h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)

	resp, b := h.call("POST", "/webhooks/"+wh.Token+"/a/b?x=1&x=2&y=z", strings.NewReader(`{"temp":21.5}`), http.Header{
		"Content-Type": {"application/json"}, "Cookie": {"session=secret"}, "X-Custom": {"one", "two"},
	})
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"success":true}` {
		t.Fatalf("webhook = %d %s, want 200 {\"success\":true}", resp.StatusCode, b)
	}
	runs := h.store.queued()
	if len(runs) != 1 {
		t.Fatalf("queued %d runs, want 1", len(runs))
	}
	r := runs[0]
	got := weir.Run{FlowID: r.FlowID, FlowVersion: r.FlowVersion, TriggerType: r.TriggerType, TriggerKey: r.TriggerKey,
		TriggerID: r.TriggerID, RelayType: r.RelayType, RelayID: r.RelayID}
	want := weir.Run{FlowID: f.ID, FlowVersion: "develop", TriggerType: "webhook", TriggerKey: wh.ID, TriggerID: wh.ID,
		RelayType: "public", RelayID: "000000000000000000000000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("run mismatch (-want +got):\n%s", diff)
	}
	data := runData(t, r)
	headers := data["headers"].(map[string]any)
	if _, ok := headers["cookie"]; ok {
		t.Errorf("headers keep the cookie: %v", headers)
	}
	if headers["x-custom"] != "one, two" || headers["content-type"] != "application/json" || headers["host"] == nil {
		t.Errorf("headers = %v, want lowercase names with joined values and host", headers)
	}
	delete(data, "headers")
	wantData := map[string]any{"path": "/a/b", "method": "post", "query": map[string]any{"x": []any{"1", "2"}, "y": "z"},
		"body": map[string]any{"temp": 21.5}}
	if diff := cmp.Diff(wantData, data); diff != "" {
		t.Errorf("data mismatch (-want +got):\n%s", diff)
	}
}

func TestWebhookRequest_ResponseCodeAndRoot(t *testing.T) {
	for _, tc := range []struct {
		code     int
		wantBody string
	}{{202, `{"success":true}`}, {204, ``}} {
		h := newWebhookHarness(t, nil)
		wh := h.mustWebhook(func(w *weir.Webhook) { w.ResponseCode = tc.code })
		h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
		resp, b := h.call("GET", "/webhooks/"+wh.Token, nil, nil)
		if resp.StatusCode != tc.code || strings.TrimSpace(string(b)) != tc.wantBody {
			t.Fatalf("webhook = %d %q, want %d %q", resp.StatusCode, b, tc.code, tc.wantBody)
		}
		runs := h.store.queued()
		if len(runs) != 1 {
			t.Fatalf("queued %d runs, want 1", len(runs))
		}
		if d := runData(t, runs[0]); d["path"] != "/" || d["method"] != "get" || d["body"] != nil {
			t.Errorf("data = %v, want path /, method get, body null", d)
		}
	}
}

func TestWebhookRequest_Body(t *testing.T) {
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("a", "1")
	_ = mw.WriteField("a", "2")
	fw, _ := mw.CreateFormFile("file", "f.txt")
	_, _ = fw.Write([]byte("file text"))
	_ = mw.Close()
	tests := []struct {
		name, contentType, body string
		want                    any
	}{
		{"JSON", "application/json; charset=utf-8", `[1,"x",null]`, []any{1.0, "x", nil}},
		{"JSONSuffix", "application/vnd.api+json", `{"a":true}`, map[string]any{"a": true}},
		{"Form", "application/x-www-form-urlencoded", `a=1&b=two+words&a=3`, map[string]any{"a": []any{"1", "3"}, "b": "two words"}},
		{"Multipart", mw.FormDataContentType(), mp.String(), map[string]any{"a": []any{"1", "2"}, "file": "file text"}},
		{"Text", "text/plain", "hello\nworld", "hello\nworld"},
		{"NoContentType", "", "<xml/>", "<xml/>"},
		{"Empty", "application/json", "", nil},
	}
	h := newWebhookHarness(t, nil)
	wh := h.mustWebhook(nil)
	h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
	for i, tc := range tests {
		t.Run(tc.name+"OK", func(t *testing.T) {
			hdr := http.Header{}
			if tc.contentType != "" {
				hdr.Set("Content-Type", tc.contentType)
			}
			resp, b := h.call("PUT", "/webhooks/"+wh.Token+"/x", strings.NewReader(tc.body), hdr)
			if resp.StatusCode != 200 {
				t.Fatalf("webhook = %d %s", resp.StatusCode, b)
			}
			runs := h.store.queued()
			if len(runs) != i+1 {
				t.Fatalf("queued %d runs, want %d", len(runs), i+1)
			}
			if diff := cmp.Diff(tc.want, runData(t, runs[i])["body"]); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ErrInvalidJSON", func(t *testing.T) {
		resp, b := h.call("POST", "/webhooks/"+wh.Token, strings.NewReader(`{nope`), http.Header{"Content-Type": {"application/json"}})
		wantError(t, resp.StatusCode, b, 400, weir.Validation, "body is not valid JSON")
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		n := len(h.store.queued())
		big := strings.Repeat("x", weirhttp.MaxWebhookBodyBytes+1)
		resp, b := h.call("POST", "/webhooks/"+wh.Token, strings.NewReader(big), http.Header{"Content-Type": {"text/plain"}})
		wantError(t, resp.StatusCode, b, http.StatusRequestEntityTooLarge, weir.PayloadTooLarge, "")
		if got := len(h.store.queued()); got != n {
			t.Errorf("a refused body queued %d runs", got-n)
		}
	})
}

func TestWebhookRequest_WaitForReply(t *testing.T) {
	h := newWebhookHarness(t, nil)
	wh := h.mustWebhook(func(w *weir.Webhook) { w.WaitForReply = true })
	h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // plays the Webhook Reply node of the run
		defer wg.Done()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if runs := h.store.queued(); len(runs) == 1 {
				id, _ := decode(t, runs[0].Data)["replyId"].(string)
				if !strings.HasPrefix(id, wh.ID+".") {
					t.Errorf("replyId = %q, want %s.<request id>", id, wh.ID)
				}
				rep := engine.Reply{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/plain", "X-Reply": "yes"}, Body: []byte("hi there")}
				if err := h.hub.Deliver(id, rep); err != nil {
					t.Errorf("Deliver: %v", err)
				}
				if err := h.hub.Deliver(id, engine.Reply{StatusCode: 500}); weir.ErrorTypeOf(err) != weir.NotFound {
					t.Errorf("second Deliver = %v, want NotFound", err)
				}
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Error("no run was queued")
	}()
	resp, b := h.call("POST", "/webhooks/"+wh.Token+"?name=x", nil, nil)
	wg.Wait()
	if resp.StatusCode != 201 || string(b) != "hi there" || resp.Header.Get("X-Reply") != "yes" ||
		resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("webhook = %d %q %v, want the reply", resp.StatusCode, b, resp.Header)
	}
	if n := h.hub.Waiting(); n != 0 {
		t.Errorf("%d requests still wait", n)
	}
}

func TestWebhookRequest_WaitTimeout(t *testing.T) {
	h := newWebhookHarness(t, func(s *weirhttp.Server) { s.WebhookReplyTimeout = 50 * time.Millisecond })
	wh := h.mustWebhook(func(w *weir.Webhook) { w.WaitForReply = true })
	h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
	resp, b := h.call("GET", "/webhooks/"+wh.Token, nil, nil)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("webhook = %d %s, want 504", resp.StatusCode, b)
	}
	mustConform(t, "error", b)
	if got := decode(t, b)["type"]; got != "Timeout" {
		t.Errorf("type = %v, want Timeout", got)
	}
	runs := h.store.queued()
	if len(runs) != 1 {
		t.Fatalf("queued %d runs, want 1", len(runs))
	}
	id, _ := runData(t, runs[0])["replyId"].(string)
	if err := h.hub.Deliver(id, engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Errorf("late Deliver = %v, want NotFound (nobody waits)", err)
	}
}

// countLimiter allows the first n uses.
type countLimiter struct {
	mu sync.Mutex
	n  int
}

func (l *countLimiter) Allow(string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == 0 {
		return false, 2500 * time.Millisecond
	}
	l.n--
	return true, 0
}

func TestWebhookRequest_Errors(t *testing.T) {
	t.Run("ErrUnknownToken", func(t *testing.T) {
		h := newWebhookHarness(t, nil)
		resp, b := h.call("POST", "/webhooks/nope/x", nil, nil)
		wantError(t, resp.StatusCode, b, 404, weir.NotFound, "Webhook was not found")
	})
	t.Run("ErrRateLimit", func(t *testing.T) {
		h := newWebhookHarness(t, func(s *weirhttp.Server) { s.WebhookLimiter = &countLimiter{n: 2} })
		wh := h.mustWebhook(nil)
		h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
		for range 2 {
			if resp, b := h.call("POST", "/webhooks/"+wh.Token, nil, nil); resp.StatusCode != 200 {
				t.Fatalf("webhook = %d %s, want 200", resp.StatusCode, b)
			}
		}
		resp, b := h.call("POST", "/webhooks/"+wh.Token, nil, nil)
		wantError(t, resp.StatusCode, b, 429, weir.TooManyRequests, "Over rate limit, request throttled")
		if got := resp.Header.Get("Retry-After"); got != "3" {
			t.Errorf("Retry-After = %q, want 3", got)
		}
		if n := len(h.store.queued()); n != 2 {
			t.Errorf("queued %d runs, want 2", n)
		}
	})
	t.Run("BasicAuth", func(t *testing.T) {
		h := newWebhookHarness(t, nil)
		wh := h.mustWebhook(func(w *weir.Webhook) {
			w.VerificationType, w.BasicAuthUsername, w.BasicAuthPassword = weir.VerificationBasic, "user", "pa:ss"
		})
		h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
		for _, creds := range [][2]string{{}, {"user", "wrong"}, {"other", "pa:ss"}} {
			req, _ := http.NewRequestWithContext(t.Context(), "POST", h.srv.URL+"/webhooks/"+wh.Token, nil)
			if creds[0] != "" {
				req.SetBasicAuth(creds[0], creds[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			wantError(t, resp.StatusCode, mustRead(t, resp), 401, weir.Unauthorized, "")
			resp.Body.Close()
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		}
		req, _ := http.NewRequestWithContext(t.Context(), "POST", h.srv.URL+"/webhooks/"+wh.Token, nil)
		req.SetBasicAuth("user", "pa:ss")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(h.store.queued()) != 1 {
			t.Fatalf("with credentials = %d and %d runs, want 200 and 1 run", resp.StatusCode, len(h.store.queued()))
		}
	})
}

// TestWebhookRequest_Flows checks which flows run: enabled cloud flows of
// the webhook's application with its trigger, one run each.
func TestWebhookRequest_Flows(t *testing.T) {
	h := newWebhookHarness(t, nil)
	wh := h.mustWebhook(nil)
	on1 := h.mustWebhookFlow(h.appA, "on1", wh.ID, true)
	on2 := h.mustWebhookFlow(h.appA, "on2", wh.ID, true)
	h.mustWebhookFlow(h.appA, "off", wh.ID, false)
	h.mustWebhookFlow(h.appA, "other hook", weir.NewID(), true)
	h.mustWebhookFlow(h.appB, "other app", wh.ID, true)
	if resp, b := h.call("POST", "/webhooks/"+wh.Token, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("webhook = %d %s", resp.StatusCode, b)
	}
	got := map[string]bool{}
	for _, r := range h.store.queued() {
		got[r.FlowID] = true
	}
	if diff := cmp.Diff(map[string]bool{on1.ID: true, on2.ID: true}, got); diff != "" {
		t.Errorf("flows run mismatch (-want +got):\n%s", diff)
	}
}

func TestWebhookRequest_Versions(t *testing.T) {
	// The harness flow gets the webhook trigger in develop; v1 snapshots
	// it, v2 has no webhook trigger, off is disabled; v1 is the default.
	setup := func(t *testing.T) (*webhookHarness, *weir.Webhook) {
		h := newWebhookHarness(t, nil)
		wh := h.mustWebhook(nil)
		f, err := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.Triggers = append(f.Triggers, weir.Trigger{Type: "webhook", Key: wh.ID, OutputIDs: [][]string{{"n1"}}})
		if err := h.store.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		v1 := h.mustPostVersion(`{"version":"v1"}`)
		h.mustPostVersion(`{"version":"v2","triggers":[]}`)
		h.mustPostVersion(`{"version":"off","enabled":false}`)
		h.setDefaultVersion(&v1.ID)
		return h, wh
	}
	tests := []struct {
		name, header, want string // want "": no run
	}{
		{"DefaultVersionOK", "", "v1"},
		{"DevelopOK", "develop", "develop"},
		{"NamedOK", "v1", "v1"},
		{"VersionWithoutTriggerOK", "v2", ""},
		{"DisabledVersionOK", "off", ""},
		{"UnknownVersionOK", "v9", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, wh := setup(t)
			hdr := http.Header{}
			if tc.header != "" {
				hdr.Set("X-Flow-Version", tc.header)
			}
			if resp, b := h.call("POST", "/webhooks/"+wh.Token, nil, hdr); resp.StatusCode != 200 {
				t.Fatalf("webhook = %d %s", resp.StatusCode, b)
			}
			runs := h.store.queued()
			if tc.want == "" {
				if len(runs) != 0 {
					t.Fatalf("queued %+v, want none", runs)
				}
				return
			}
			if len(runs) != 1 || runs[0].FlowVersion != tc.want {
				t.Fatalf("queued %+v, want one run of %s", runs, tc.want)
			}
		})
	}
}
