package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// newEdgeHarness gives application A an enabled edge flow with HTTP request
// triggers GET /agent-configuration and any-method /devices/{id}, and a
// disabled one with GET /off.
func newEdgeHarness(t *testing.T) (*webhookHarness, *weir.Flow) {
	h := newWebhookHarness(t, func(s *weirhttp.Server) { s.RequestReplyTimeout = 200 * time.Millisecond })
	trigger := func(key, method, route string) weir.Trigger {
		cfg, _ := json.Marshal(map[string]string{"method": method, "route": route})
		return weir.Trigger{Type: "request", Key: key, Config: cfg, OutputIDs: [][]string{{"n1"}}}
	}
	mk := func(name string, enabled bool, triggers ...weir.Trigger) *weir.Flow {
		f := &weir.Flow{ID: weir.NewID(), ApplicationID: h.appA, Name: name, Enabled: enabled, FlowClass: weir.FlowClassEdge,
			Definition: weir.Definition{Triggers: triggers, Nodes: []weir.Node{{ID: "n1", Type: "HttpResponseNode"}}}}
		if err := h.store.CreateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	on := mk("edge", true, trigger("get-/agent-configuration", "get", "/agent-configuration"),
		trigger("*-/devices/{id}", "*", "/devices/{id}"), trigger("post-/devices/{id}", "post", "/devices/{id}"))
	mk("off", false, trigger("get-/off", "get", "/off"))
	return h, on
}

// replyToFirstRun plays the HTTP Response node: it waits for a queued run,
// hands it to check and delivers rep to its reply id.
func replyToFirstRun(t *testing.T, h *webhookHarness, rep engine.Reply, check func(runs []*weir.Run, data map[string]any)) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			runs := h.store.queued()
			if len(runs) == 0 {
				continue
			}
			d := decode(t, runs[0].Data)
			check(runs, d)
			if err := h.hub.Deliver(d["replyId"].(string), rep); err != nil {
				t.Errorf("Deliver: %v", err)
			}
			return
		}
		t.Error("no run was queued")
	}()
	return &wg
}

func TestEdgeRequest_MatchesAndReplies(t *testing.T) {
	h, flow := newEdgeHarness(t)
	rep := engine.Reply{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/html"}, Cookies: []string{"a=1; Path=/"}, Body: []byte("<p>ok</p>")}
	wg := replyToFirstRun(t, h, rep, func(runs []*weir.Run, d map[string]any) {
		r := runs[0]
		if r.FlowID != flow.ID || r.TriggerType != "request" || r.TriggerID != "request" || r.TriggerKey != "get-/agent-configuration" {
			t.Errorf("run = flow %s trigger %s/%s/%s, want the edge flow's get-/agent-configuration request trigger",
				r.FlowID, r.TriggerType, r.TriggerID, r.TriggerKey)
		}
		query, _ := d["query"].(map[string]any)
		cookies, _ := d["cookies"].(map[string]any)
		if d["method"] != "get" || d["path"] != "/agent-configuration" || query["x"] != "1" || cookies["s"] != "v" ||
			!strings.HasPrefix(d["replyId"].(string), h.appA+".") {
			t.Errorf("run data = %v, want method, path, query, cookies and a reply id", d)
		}
		if params, ok := d["params"].(map[string]any); !ok || len(params) != 0 {
			t.Errorf("params = %v, want {}", d["params"])
		}
	})
	resp, b := h.call("GET", "/edge/"+h.appA+"/agent-configuration?x=1", nil, http.Header{"Cookie": {"s=v"}})
	wg.Wait()
	if resp.StatusCode != 201 || string(b) != "<p>ok</p>" || resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get("Set-Cookie") != "a=1; Path=/" {
		t.Fatalf("GET = %d %q %v, want 201 <p>ok</p> as text/html with a cookie", resp.StatusCode, b, resp.Header)
	}
}

func TestEdgeRequest_EveryMatchingTriggerFires(t *testing.T) {
	h, _ := newEdgeHarness(t)
	wg := replyToFirstRun(t, h, engine.Reply{StatusCode: 200, Body: []byte("done")}, func([]*weir.Run, map[string]any) {})
	resp, b := h.call("POST", "/edge/"+h.appA+"/devices/a%2Fb", strings.NewReader(`{"on":true}`), http.Header{"Content-Type": {"application/json"}})
	wg.Wait()
	if resp.StatusCode != 200 || string(b) != "done" {
		t.Fatalf("POST = %d %q, want 200 done", resp.StatusCode, b)
	}
	runs := h.store.queued()
	var keys []string
	for _, r := range runs {
		keys = append(keys, r.TriggerKey)
		d := decode(t, r.Data)
		params, _ := d["params"].(map[string]any)
		body, _ := d["body"].(map[string]any)
		if params["id"] != "a/b" || body["on"] != true {
			t.Errorf("run %s data = %v, want params.id a/b and the parsed body", r.TriggerKey, d)
		}
	}
	if strings.Join(keys, ",") != "*-/devices/{id},post-/devices/{id}" {
		t.Errorf("queued runs of triggers %v, want both device routes", keys)
	}
}

func TestEdgeRequest_TimesOut(t *testing.T) {
	h, _ := newEdgeHarness(t)
	resp, b := h.call("DELETE", "/edge/"+h.appA+"/devices/d1", nil, nil)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("DELETE = %d %s, want 504", resp.StatusCode, b)
	}
	if n := len(h.store.queued()); n != 1 {
		t.Fatalf("queued %d runs, want 1", n)
	}
}

func TestEdgeRequest_NotFound(t *testing.T) {
	h, _ := newEdgeHarness(t)
	for _, tc := range []struct{ name, method, path string }{
		{"ErrUnknownPath", "GET", "/edge/" + h.appA + "/nope"},
		{"ErrMethodMismatch", "POST", "/edge/" + h.appA + "/agent-configuration"},
		{"ErrDisabledFlow", "GET", "/edge/" + h.appA + "/off"},
		{"ErrOtherApplication", "GET", "/edge/" + h.appB + "/agent-configuration"},
		{"ErrBadApplicationID", "GET", "/edge/x/agent-configuration"},
		{"ErrRoot", "GET", "/edge/" + h.appA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := h.call(tc.method, tc.path, nil, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s = %d %s, want 404", tc.method, tc.path, resp.StatusCode, b)
			}
		})
	}
	if n := len(h.store.queued()); n != 0 {
		t.Errorf("queued %d runs, want none", n)
	}
}
