package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// TestWebhookRequest_CacheSeesAPIWrites checks that with a cache whose
// entries would otherwise live an hour, changes made through the API reach
// the webhook endpoint with the API's answer.
func TestWebhookRequest_CacheSeesAPIWrites(t *testing.T) {
	h := newWebhookHarness(t, func(s *weirhttp.Server) {
		s.Cache = &engine.FlowCache{Flows: s.Flows, Versions: s.Versions, Applications: s.Applications,
			Webhooks: s.Webhooks, TTL: time.Hour, IndexMaxAge: time.Hour}
	})
	wh := h.mustWebhook(nil)
	f := h.mustWebhookFlow(h.appA, "hooked", wh.ID, true)
	fire := func() int {
		t.Helper()
		resp, b := h.call("POST", "/webhooks/"+wh.Token, nil, nil)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("webhook = %d %s", resp.StatusCode, b)
		}
		return resp.StatusCode
	}
	fire()
	fire()
	if n := len(h.store.queued()); n != 2 {
		t.Fatalf("%d runs queued, want 2", n)
	}
	path := "/applications/" + h.appA + "/flows/" + f.ID
	if status, b := h.do("PATCH", path, h.user, map[string]any{"enabled": false}); status != http.StatusOK {
		t.Fatalf("disable flow = %d %s", status, b)
	}
	fire()
	if n := len(h.store.queued()); n != 2 {
		t.Fatalf("%d runs queued after disabling the flow, want 2", n)
	}
	if status, b := h.do("PATCH", path, h.user, map[string]any{"enabled": true}); status != http.StatusOK {
		t.Fatalf("enable flow = %d %s", status, b)
	}
	fire()
	if n := len(h.store.queued()); n != 3 {
		t.Fatalf("%d runs queued after enabling the flow again, want 3", n)
	}
	if status, b := h.do("DELETE", h.hooksPath("/"+wh.ID), h.user, nil); status != http.StatusOK {
		t.Fatalf("delete webhook = %d %s", status, b)
	}
	if status := fire(); status != http.StatusNotFound {
		t.Fatalf("deleted webhook answered %d, want 404", status)
	}
}

// TestApplicationCacheSeesAPIWrites reads an application's flows through a
// cache whose rows would otherwise live an hour: a rename through the API is
// answered by the application's own GET at once (it reads the store), and
// once the application is deleted through the API its flows answer 404 at
// once.
func TestApplicationCacheSeesAPIWrites(t *testing.T) {
	h := newWebhookHarness(t, func(s *weirhttp.Server) {
		s.Cache = &engine.FlowCache{Flows: s.Flows, Versions: s.Versions, Applications: s.Applications,
			Webhooks: s.Webhooks, TTL: time.Hour, IndexMaxAge: time.Hour}
	})
	app := "/applications/" + h.appA
	if status, b := h.do("GET", app+"/flows", h.user, nil); status != http.StatusOK {
		t.Fatalf("GET flows = %d %s", status, b)
	}
	if status, b := h.do("PATCH", app, h.user, map[string]any{"name": "Renamed"}); status != http.StatusOK {
		t.Fatalf("PATCH application = %d %s", status, b)
	}
	if status, b := h.do("GET", app, h.user, nil); status != http.StatusOK || decode(t, b)["name"] != "Renamed" {
		t.Fatalf("GET application after rename = %d %s, want the new name", status, b)
	}
	if status, b := h.do("DELETE", app, h.user, nil); status != http.StatusOK {
		t.Fatalf("DELETE application = %d %s", status, b)
	}
	if status, b := h.do("GET", app+"/flows", h.user, nil); status != http.StatusNotFound {
		t.Fatalf("GET flows of the deleted application = %d %s, want 404", status, b)
	}
}
