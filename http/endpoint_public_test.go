package http_test

import (
	"context"
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

// fakeEndpoints serves a fixed list of endpoints; only listing is used by
// the public routes.
type fakeEndpoints struct {
	weir.ExperienceEndpointService
	eps []*weir.ExperienceEndpoint
}

func (f *fakeEndpoints) FindExperienceEndpoints(_ context.Context, filter weir.ExperienceEndpointFilter) ([]*weir.ExperienceEndpoint, int, error) {
	var out []*weir.ExperienceEndpoint
	for _, e := range f.eps {
		if e.ApplicationID == filter.ApplicationID {
			out = append(out, e)
		}
	}
	return out, len(out), nil
}

// newEndpointHarness serves application A's endpoints GET /users/{id}, GET
// /users/me and a disabled GET /off, each triggering a flow of A.
func newEndpointHarness(t *testing.T) (*webhookHarness, map[string]*weir.ExperienceEndpoint) {
	fake := &fakeEndpoints{}
	h := newWebhookHarness(t, func(s *weirhttp.Server) {
		s.Endpoints = fake
		s.EndpointReplyTimeout = 200 * time.Millisecond
	})
	eps := map[string]*weir.ExperienceEndpoint{}
	for name, ep := range map[string]struct {
		route   string
		enabled bool
	}{"param": {"/users/{id}", true}, "literal": {"/users/me", true}, "off": {"/off", false}} {
		e := &weir.ExperienceEndpoint{ID: weir.NewID(), ApplicationID: h.appA, Route: ep.route, Method: "get",
			Access: weir.EndpointAccessPublic, Enabled: ep.enabled}
		fake.eps = append(fake.eps, e)
		eps[name] = e
		f := &weir.Flow{ID: weir.NewID(), ApplicationID: h.appA, Name: name, Enabled: true, FlowClass: weir.FlowClassExperience,
			Definition: weir.Definition{
				Triggers: []weir.Trigger{{Type: "endpoint", Key: e.ID, Config: json.RawMessage(`{}`), OutputIDs: [][]string{{"n1"}}}},
				Nodes:    []weir.Node{{ID: "n1", Type: "DebugNode"}},
			}}
		if err := h.store.CreateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
	}
	return h, eps
}

func TestEndpointPublic_MatchesAndReplies(t *testing.T) {
	h, eps := newEndpointHarness(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // plays the Endpoint Reply node of the run
		defer wg.Done()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			runs := h.store.queued()
			if len(runs) == 0 {
				continue
			}
			d := decode(t, runs[0].Data)
			params, _ := d["params"].(map[string]any)
			cookies, _ := d["cookies"].(map[string]any)
			if runs[0].TriggerID != eps["param"].ID || params["id"] != "a b" || cookies["session"] != "s1" || d["method"] != "get" {
				t.Errorf("run %s data = %v, want endpoint %s, params.id \"a b\", cookie session", runs[0].TriggerID, d, eps["param"].ID)
			}
			if _, ok := d["headers"].(map[string]any)["cookie"]; ok {
				t.Errorf("headers keep the cookie: %v", d["headers"])
			}
			if !strings.Contains(string(runs[0].Experience), `"user":null`) {
				t.Errorf("experience = %s, want a null user", runs[0].Experience)
			}
			rep := engine.Reply{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/plain"},
				Cookies: []string{"a=1; Path=/"}, Body: []byte("hi")}
			if err := h.hub.Deliver(d["replyId"].(string), rep); err != nil {
				t.Errorf("Deliver: %v", err)
			}
			return
		}
		t.Error("no run was queued")
	}()
	resp, b := h.call("GET", "/experience/"+h.appA+"/users/a%20b?x=1", nil, http.Header{"Cookie": {"session=s1"}})
	wg.Wait()
	if resp.StatusCode != 201 || string(b) != "hi" || resp.Header.Get("Set-Cookie") != "a=1; Path=/" {
		t.Fatalf("endpoint = %d %q %v, want 201 \"hi\" with a cookie", resp.StatusCode, b, resp.Header)
	}
}

func TestEndpointPublic_LiteralBeatsParamAndTimesOut(t *testing.T) {
	h, eps := newEndpointHarness(t)
	resp, b := h.call("GET", "/experience/"+h.appA+"/users/me", nil, nil)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("endpoint = %d %s, want 504", resp.StatusCode, b)
	}
	if runs := h.store.queued(); len(runs) != 1 || runs[0].TriggerID != eps["literal"].ID {
		t.Fatalf("queued %d runs, want 1 of the literal route", len(runs))
	}
}

func TestEndpointPublic_NotFound(t *testing.T) {
	h, _ := newEndpointHarness(t)
	for _, tc := range []struct{ name, method, path string }{
		{"ErrUnknownPath", "GET", "/experience/" + h.appA + "/nope"},
		{"ErrMethodMismatch", "POST", "/experience/" + h.appA + "/users/1"},
		{"ErrDisabled", "GET", "/experience/" + h.appA + "/off"},
		{"ErrOtherApplication", "GET", "/experience/" + h.appB + "/users/1"},
		{"ErrBadApplicationID", "GET", "/experience/x/users/1"},
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
