package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// uncarriable are numbers JSON allows but a run cannot carry: beyond a
// float64's range.
var uncarriable = []string{"1e400", "-1E+309", strings.Repeat("9", 400)}

// TestBodiesARunCannotCarry sends a number out of a float64's range through
// every way a JSON body enters weir over HTTP: each answers 400 Validation
// saying which number and why, and nothing is queued or stored; the largest
// float64 passes everywhere.
func TestBodiesARunCannotCarry(t *testing.T) {
	h, _ := newEndpointHarness(t)
	hook := h.mustWebhook(nil)
	h.mustWebhookFlow(h.appA, "hooked", hook.ID, true)
	edge, _ := newEdgeHarness(t)
	json := http.Header{"Content-Type": {"application/json"}}

	for _, num := range append(uncarriable, "1.7976931348623157e308") {
		ok := !strings.Contains(strings.Join(uncarriable, " "), num)
		shown := num
		if len(num) > 24 {
			shown = num[:24] + "… (400 characters)"
		}
		check := func(name string, status int, body []byte, what string) {
			t.Helper()
			if ok {
				if status >= 400 && status != 504 { // 504: nothing replied, but the run was accepted
					t.Errorf("%s with %s = %d %s, want it accepted", name, num, status, body)
				}
				return
			}
			wantError(t, status, body, 400, weir.Validation, what+" holds the number "+shown+
				", out of range: numbers are 64-bit floats, at most ±1.7976931348623157e308")
		}

		queued := len(h.store.queued())
		status, body := h.do("POST", h.flowPath("/virtualButton"), h.user, `{"key":"`+h.button+`","payload":{"n":[`+num+`]}}`)
		check("press", status, body, "button")
		status, body = h.do("PATCH", h.flowPath("/storage"), h.user, `{"key":"k","value":{"n":`+num+`}}`)
		check("storage set", status, body, "entry")
		status, body = h.do("POST", "/applications/"+h.appA+"/flows/import", h.user,
			`{"flows":[{"name":"imported","triggers":[],"nodes":[{"id":"n","type":"DebugNode","config":{"n":`+num+`}}]}]}`)
		check("import", status, body, "importData")
		resp, body := h.call("POST", "/webhooks/"+hook.Token, strings.NewReader(`{"n":`+num+`}`), json)
		check("webhook", resp.StatusCode, body, "body")
		resp, body = h.call("GET", "/experience/"+h.appA+"/users/7", strings.NewReader(`{"n":`+num+`}`), json)
		check("experience endpoint", resp.StatusCode, body, "body")
		resp, body = edge.call("POST", "/edge/"+edge.appA+"/devices/d1", strings.NewReader(`{"n":`+num+`}`), json)
		check("edge request", resp.StatusCode, body, "body")

		if ok {
			continue
		}
		if got := len(h.store.queued()); got != queued {
			t.Errorf("%s: %d runs queued, want none", num, got-queued)
		}
		if got := len(edge.store.queued()); got != 0 {
			t.Errorf("%s: %d edge runs queued, want none", num, got)
		}
		if _, body := h.do("GET", h.flowPath("/storage"), h.user, nil); string(body) != "{}\n" {
			t.Errorf("%s: storage = %s, want nothing stored", num, body)
		}
	}
}

// TestPressRefusesADefaultPayloadARunCannotCarry: a button whose stored
// default payload holds a number out of range is refused at the press, with
// 400, instead of queueing a run that cannot start.
func TestPressRefusesADefaultPayloadARunCannotCarry(t *testing.T) {
	h := newHarness(t)
	f := h.mustFlow(h.appA, "default payload")
	meta := map[string]any{"payload": `{"n": 1e400}`}
	f.Triggers[0].Meta, _ = json.Marshal(meta)
	if err := h.store.UpdateFlow(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	status, body := h.do("POST", "/applications/"+h.appA+"/flows/"+f.ID+"/virtualButton", h.user,
		`{"key":"`+f.Triggers[0].Key+`"}`)
	wantError(t, status, body, 400, weir.Validation, "the button's default payload holds the number 1e400, out of range: "+
		"numbers are 64-bit floats, at most ±1.7976931348623157e308; send a payload")
	if n := len(h.store.queued()); n != 0 {
		t.Errorf("%d runs queued, want none", n)
	}
}
