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
