package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

// TestFlowKeepPayloadsSetting: the setting is off by default, a PATCH turns
// it on, and a PATCH that does not name it (as a Losant client sends)
// leaves it on.
func TestFlowKeepPayloadsSetting(t *testing.T) {
	h := newHarness(t)
	as := h.mustAs(t, h.user)
	if got := as("GET", h.flowPath(""), nil, 200, "flow"); got["weir"] != nil {
		t.Fatalf("a new flow has weir settings %v, want none (all off)", got["weir"])
	}
	got := as("PATCH", h.flowPath(""), `{"weir":{"keepPayloads":true}}`, 200, "flow")
	if w, _ := got["weir"].(map[string]any); w["keepPayloads"] != true {
		t.Fatalf("PATCH answered weir %v", got["weir"])
	}
	as("PATCH", h.flowPath(""), `{"name":"renamed","triggers":[],"nodes":[]}`, 200, "flow")
	as("PATCH", h.flowPath(""), `{"weir":{}}`, 200, "flow")
	f, err := h.store.FindFlowByID(t.Context(), h.appA, h.flow.ID)
	if err != nil || !f.Weir.KeepPayloads || f.Name != "renamed" {
		t.Fatalf("stored flow %+v, %v; want keepPayloads kept through PATCHes not naming it", f, err)
	}
	status, body := h.do("PATCH", h.flowPath(""), h.user, `{"weir":{"keepPayloads":"yes"}}`)
	wantError(t, status, body, 400, weir.Validation, "")
	status, body = h.do("PATCH", h.flowPath(""), h.user, `{"weir":{"other":true}}`)
	wantError(t, status, body, 400, weir.Validation, "")
	created := as("POST", "/applications/"+h.appA+"/flows", `{"name":"kept","weir":{"keepPayloads":true}}`, 201, "flow")
	if w, _ := created["weir"].(map[string]any); w["keepPayloads"] != true {
		t.Fatalf("POST answered weir %v", created["weir"])
	}
	imported := as("POST", "/applications/"+h.appA+"/flows/import", `{"flows":[{"name":"imported","weir":{"keepPayloads":true}}]}`, 201, "")
	flows, _ := imported["flows"].([]any)
	if f, _ := flows[0].(map[string]any); f == nil || f["weir"] == nil {
		t.Fatalf("import answered %v, want the flow with its weir settings", imported)
	}
}

// TestFlowReplay: a replay enqueues one run of the flow as it is now with
// the kept payload, through the same trigger, marked as a replay; each
// refusal is a typed error and enqueues nothing.
func TestFlowReplay(t *testing.T) {
	h := newHarness(t)
	kept, notKept, tooLarge, other := weir.NewID(), weir.NewID(), weir.NewID(), weir.NewID()
	payload := &weir.RunPayload{Kept: true, Size: 11, TriggerType: "virtualButton", TriggerKey: h.button,
		TriggerID: h.button, Data: json.RawMessage(`{"temp":41}`)}
	h.store.logs[h.flow.ID] = []*weir.LogEntry{
		{ID: kept, FlowID: h.flow.ID, FlowVersion: "develop", Time: testNow, RunCount: 1, Payload: payload},
		{ID: notKept, FlowID: h.flow.ID, FlowVersion: "develop", Time: testNow, RunCount: 1},
		{ID: tooLarge, FlowID: h.flow.ID, FlowVersion: "develop", Time: testNow, RunCount: 1,
			Payload: &weir.RunPayload{Size: 70000, TriggerType: "virtualButton", TriggerKey: h.button,
				Reason: "the trigger payload is 70000 bytes, over the 65536 a log entry keeps"}},
	}
	as := h.mustAs(t, h.user)

	// The list shows whether each payload was kept, without its data.
	logs := h.mustRaw(t, "GET", h.flowPath("/logs?limit=10"), h.user, nil, 200, "flowLog")
	if !strings.Contains(string(logs), `"runId":"`+kept+`"`) || !strings.Contains(string(logs), `"kept":true`) ||
		strings.Contains(string(logs), `"temp"`) {
		t.Errorf("log list %s: want runIds and payload notes without data", logs)
	}

	// One entry, by its run id, carries the payload in full.
	one := as("GET", h.flowPath("/logs/"+kept), nil, 200, "")
	if p, _ := one["payload"].(map[string]any); one["runId"] != kept || p == nil || p["data"] == nil {
		t.Errorf("GET of the run's entry = %v, want it with its kept data", one)
	}
	status, body := h.do("GET", h.flowPath("/logs/"+other), h.user, nil)
	wantError(t, status, body, 404, weir.NotFound, "Run was not found")
	logReader := h.token(weir.OwnerApplication, h.appA, "flow.log")
	h.mustRaw(t, "GET", h.flowPath("/logs/"+kept), logReader, nil, 200, "")
	status, body = h.do("POST", h.flowPath("/logs/"+kept+"/replay"), logReader, nil)
	wantError(t, status, body, 403, weir.Forbidden, "")

	unthrottled := h.srv.Config.Handler
	got := as("POST", h.flowPath("/logs/"+kept+"/replay"), nil, 200, "")
	runs := h.store.queued()
	if len(runs) != 1 {
		t.Fatalf("%d runs queued, want 1", len(runs))
	}
	r := runs[0]
	if got["runId"] != r.ID || got["replayOf"] != kept || got["flowVersion"] != "develop" || r.ReplayOf != kept ||
		r.TriggerKey != h.button || r.TriggerType != "virtualButton" || string(r.Data) != `{"temp":41}` ||
		r.RelayType != "user" || r.RelayID != h.userID || r.FlowVersion != "develop" {
		t.Fatalf("answer %v, queued run %+v", got, r)
	}
	// Replays share the presses' rate limit.
	h.srv.Config.Handler = throttled(t, h)
	resp := h.send("POST", h.flowPath("/logs/"+kept+"/replay"), h.user, nil, nil)
	wantError(t, resp.StatusCode, mustRead(t, resp), 429, weir.TooManyRequests, "Over rate limit, request throttled")
	if got := resp.Header.Get("Retry-After"); got != "2" || len(h.store.queued()) != 1 {
		t.Errorf("throttled replay: Retry-After %q, %d runs queued; want 2 and still 1", got, len(h.store.queued()))
	}
	h.srv.Config.Handler = unthrottled

	// A body may name the version; develop here.
	as("POST", h.flowPath("/logs/"+kept+"/replay"), `{"flowVersion":"develop"}`, 200, "")

	gone := strings.Replace(h.flow.Triggers[0].Key, "-", "-x", 1)
	for _, tc := range []struct {
		name, path, token, body string
		status                  int
		typ                     weir.ErrorType
		msg                     string
	}{
		{"RunNotFound", h.flowPath("/logs/" + other + "/replay"), h.user, "", 404, weir.NotFound, "Run was not found"},
		{"BadRunID", h.flowPath("/logs/xyz/replay"), h.user, "", 400, weir.Validation, "runId pattern mismatch"},
		{"PayloadNotKept", h.flowPath("/logs/" + notKept + "/replay"), h.user, "", 400, weir.Validation,
			"The run's trigger payload was not kept: the flow did not keep trigger payloads when it ran (turn on the flow's weir.keepPayloads setting)"},
		{"PayloadTooLarge", h.flowPath("/logs/" + tooLarge + "/replay"), h.user, "", 400, weir.Validation,
			"The run's trigger payload was not kept: the trigger payload is 70000 bytes, over the 65536 a log entry keeps"},
		{"VersionNotFound", h.flowPath("/logs/" + kept + "/replay"), h.user, `{"flowVersion":"v9"}`, 404, weir.NotFound, ""},
		{"UnknownField", h.flowPath("/logs/" + kept + "/replay"), h.user, `{"flowVersoin":"develop"}`, 400, weir.Validation, ""},
		{"FlowNotFound", "/applications/" + h.appA + "/flows/" + other + "/logs/" + kept + "/replay", h.user, "", 404, weir.NotFound, ""},
		{"OtherApplication", h.flowPath("/logs/" + kept + "/replay"), h.tokB, "", 404, weir.NotFound, ""},
		{"ReadOnlyToken", h.flowPath("/logs/" + kept + "/replay"), h.token(weir.OwnerApplication, h.appA, "all.Application.read"), "", 403, weir.Forbidden, ""},
		{"TriggerGone", h.flowPath("/logs/" + kept + "/replay"), h.user, "", 400, weir.Validation,
			"The run's trigger (virtualButton " + h.button + ") is not in version develop of the flow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "TriggerGone" {
				as("PATCH", h.flowPath(""), `{"triggers":[{"key":"`+gone+`","type":"virtualButton"}]}`, 200, "flow")
			}
			before := len(h.store.queued())
			var body any
			if tc.body != "" {
				body = tc.body
			}
			status, b := h.do("POST", tc.path, tc.token, body)
			wantError(t, status, b, tc.status, tc.typ, tc.msg)
			if n := len(h.store.queued()); n != before {
				t.Errorf("%d runs queued by a refused replay", n-before)
			}
		})
	}
}

// throttled returns the handler of a server over h's store whose press
// limiter refuses everything.
func throttled(t *testing.T, h *harness) http.Handler {
	t.Helper()
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Versions, s.Tokens = h.store, h.store, h.store, h.store
	s.Logs, s.Runs = h.store, h.store
	s.Signer, s.Now = h.signer, func() time.Time { return testNow }
	s.ButtonLimiter = denyAll{}
	return s.Handler()
}
