package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

// webhookHarness is the harness with webhooks, a reply hub and a short
// reply timeout; configure (when not nil) adjusts the server further.
type webhookHarness struct {
	*harness
	hooks *memWebhooks
	hub   *engine.ReplyHub
}

func newWebhookHarness(t *testing.T, configure func(s *weirhttp.Server)) *webhookHarness {
	t.Helper()
	h := &harness{t: t, userID: weir.NewID()}
	now := func() time.Time { return testNow }
	h.store = newMemStore(now)
	h.signer = &auth.Signer{Key: []byte("test key test key test key 12345"), Now: now}
	wh := &webhookHarness{harness: h, hooks: newMemWebhooks(now), hub: &engine.ReplyHub{}}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Versions = h.store, h.store, h.store, h.store
	s.Storage, s.Logs, s.Runs = h.store, h.store, h.store
	s.Signer, s.Now = h.signer, now
	s.Webhooks, s.Replies = wh.hooks, wh.hub
	s.WebhookReplyTimeout = 5 * time.Second
	if configure != nil {
		configure(s)
	}
	h.srv = httptest.NewServer(s.Handler())
	t.Cleanup(h.srv.Close)

	h.user = h.token(weir.OwnerUser, h.userID, "all.User")
	h.appA = h.mustApp("App A")
	h.appB = h.mustApp("App B")
	h.tokA = h.token(weir.OwnerApplication, h.appA, "all.Application")
	h.tokB = h.token(weir.OwnerApplication, h.appB, "all.Application")
	h.flow = h.mustFlow(h.appA, "Flow one")
	h.button = h.flow.Triggers[0].Key
	return wh
}

func (h *webhookHarness) hooksPath(suffix string) string {
	return "/applications/" + h.appA + "/webhooks" + suffix
}

// mustPostWebhook creates a webhook of application A through the API.
func (h *webhookHarness) mustPostWebhook(body string) map[string]any {
	h.t.Helper()
	status, b := h.do("POST", h.hooksPath(""), h.tokA, body)
	if status != http.StatusCreated {
		h.t.Fatalf("POST webhooks %s = %d %s, want 201", body, status, b)
	}
	return decode(h.t, b)
}

func TestWebhooks_CRUD(t *testing.T) {
	h := newWebhookHarness(t, nil)
	created := h.mustPostWebhook(`{"name":"Callback"}`)
	id, _ := created["id"].(string)
	tok, _ := created["token"].(string)
	if !weir.ValidID(id) || created["webhookId"] != id || len(tok) < 16 {
		t.Fatalf("created = %v, want an id, webhookId and a token", created)
	}
	for k, want := range map[string]any{"_type": "webhook", "applicationId": h.appA, "name": "Callback",
		"responseCode": 200.0, "verificationType": "none", "waitForReply": false, "isWebsocket": false} {
		if created[k] != want {
			t.Errorf("created[%q] = %v, want %v", k, created[k], want)
		}
	}
	self := created["_links"].(map[string]any)["self"].(map[string]any)["href"]
	if self != h.hooksPath("/"+id) {
		t.Errorf("_links.self = %v, want %s", self, h.hooksPath("/"+id))
	}

	status, b := h.do("GET", h.hooksPath("/"+id), h.tokA, nil)
	if got := decode(t, b); status != 200 || got["token"] != tok || got["_type"] != "webhook" {
		t.Fatalf("GET webhook = %d %s", status, b)
	}

	h.mustPostWebhook(`{"name":"another"}`)
	status, b = h.do("GET", h.hooksPath("?sortDirection=desc&perPage=1"), h.tokA, nil)
	list := decode(t, b)
	items, _ := list["items"].([]any)
	if status != 200 || list["_type"] != "webhooks" || list["totalCount"] != 2.0 || len(items) != 1 ||
		items[0].(map[string]any)["name"] != "another" || items[0].(map[string]any)["_type"] != "webhook" {
		t.Fatalf("GET webhooks = %d %s, want page 1 of 2 sorted desc", status, b)
	}
	status, b = h.do("GET", "/applications/"+h.appB+"/webhooks", h.tokB, nil)
	if list := decode(t, b); status != 200 || list["totalCount"] != 0.0 {
		t.Fatalf("GET webhooks of B = %d %s, want none", status, b)
	}

	status, b = h.do("PATCH", h.hooksPath("/"+id), h.tokA,
		`{"name":"Renamed","responseCode":202,"waitForReply":true,"verificationType":"basic","basicAuthUsername":"u","basicAuthPassword":"p"}`)
	patched := decode(t, b)
	if status != 200 || patched["name"] != "Renamed" || patched["responseCode"] != 202.0 || patched["waitForReply"] != true ||
		patched["verificationType"] != "basic" || patched["token"] != tok {
		t.Fatalf("PATCH webhook = %d %s", status, b)
	}

	status, b = h.do("DELETE", h.hooksPath("/"+id), h.tokA, "{}")
	if status != 200 {
		t.Fatalf("DELETE webhook = %d %s", status, b)
	}
	mustConform(t, "success", b)
	status, b = h.do("GET", h.hooksPath("/"+id), h.tokA, nil)
	wantError(t, status, b, http.StatusNotFound, weir.NotFound, "Webhook was not found")
	status, b = h.do("DELETE", h.hooksPath("/"+id), h.tokA, nil)
	wantError(t, status, b, http.StatusNotFound, weir.NotFound, "Webhook was not found")
}

func TestWebhooks_Errors(t *testing.T) {
	h := newWebhookHarness(t, nil)
	id := h.mustPostWebhook(`{"name":"w"}`)["id"].(string)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		typ                             weir.ErrorType
		msg                             string
	}{
		{"PostNameRequired", "POST", "", "A", `{}`, 400, weir.Validation, "webhook.name is required"},
		{"PostNameEmpty", "POST", "", "A", `{"name":""}`, 400, weir.Validation, "webhook.name has less length than allowed"},
		{"PostAdditional", "POST", "", "A", `{"name":"w","url":"x"}`, 400, weir.Validation, "webhook has additional properties"},
		{"PostBadCode", "POST", "", "A", `{"name":"w","responseCode":99}`, 400, weir.Validation, "webhook.responseCode is less than minimum"},
		{"PostUnknownVerification", "POST", "", "A", `{"name":"w","verificationType":"magic"}`, 400, weir.Validation, "webhook.verificationType must be an enum value"},
		{"PostUnsupportedVerification", "POST", "", "A", `{"name":"w","verificationType":"twilio"}`, 400, weir.Validation, "verificationType twilio is not supported yet"},
		{"PostWebsocket", "POST", "", "A", `{"name":"w","isWebsocket":true}`, 400, weir.Validation, "webhook.isWebsocket is not supported yet"},
		{"PostBasicWithoutUser", "POST", "", "A", `{"name":"w","verificationType":"basic"}`, 400, weir.Validation, "basicAuthUsername is required for basic verification"},
		{"PatchNotJSON", "PATCH", "/{id}", "A", `nope`, 400, weir.Validation, "webhook is not valid JSON"},
		{"PatchWrongType", "PATCH", "/{id}", "A", `{"waitForReply":"yes"}`, 400, weir.Validation, "webhook.waitForReply is the wrong type"},
		{"GetBadID", "GET", "/nope", "A", ``, 400, weir.Validation, "webhookId pattern mismatch"},
		{"GetBadIDBeforeAuth", "GET", "/nope", "", ``, 400, weir.Validation, "webhookId pattern mismatch"},
		{"GetUnknown", "GET", "/" + weir.NewID(), "A", ``, 404, weir.NotFound, "Webhook was not found"},
		{"GetOtherApplicationToken", "GET", "/{id}", "B", ``, 404, weir.NotFound, "Application was not found"},
		{"NoToken", "GET", "/{id}", "", ``, 403, weir.Forbidden, ""},
		{"PostNoToken", "POST", "", "", `{"name":"w"}`, 403, weir.Forbidden, ""},
	}
	for _, tc := range tests {
		t.Run("Err"+tc.name, func(t *testing.T) {
			tok := map[string]string{"A": h.tokA, "B": h.tokB}[tc.token]
			var body any
			if tc.body != "" {
				body = tc.body
			}
			status, b := h.do(tc.method, h.hooksPath(strings.ReplaceAll(tc.path, "{id}", id)), tok, body)
			wantError(t, status, b, tc.status, tc.typ, tc.msg)
		})
	}
}

// TestWebhooks_Scopes checks the scope decision of each webhook action.
func TestWebhooks_Scopes(t *testing.T) {
	h := newWebhookHarness(t, nil)
	id := h.mustPostWebhook(`{"name":"w"}`)["id"].(string)
	actions := []struct {
		name, method, path, body string
		read                     bool
	}{
		{"webhooks.get", "GET", "", "", true},
		{"webhooks.post", "POST", "", `{"name":"n"}`, false},
		{"webhook.get", "GET", "/{id}", "", true},
		{"webhook.patch", "PATCH", "/{id}", `{"name":"n"}`, false},
		{"webhook.delete", "DELETE", "/{id}", "", false},
	}
	for _, a := range actions {
		resource := a.name[:strings.Index(a.name, ".")]
		for _, sc := range []struct {
			scope string
			allow bool
		}{
			{"all.Application.read", a.read},
			{"all.Application.bounded", true},
			{"all.Organization.read", a.read},
			{a.name, true},
			{resource + ".*", true},
			{"flow.*", false},
			{map[string]string{"webhooks": "webhook.*", "webhook": "webhooks.*"}[resource], false},
		} {
			t.Run(a.name+"/"+sc.scope, func(t *testing.T) {
				tok := h.token(weir.OwnerApplication, h.appA, sc.scope)
				var body any
				if a.body != "" {
					body = a.body
				}
				status, b := h.do(a.method, h.hooksPath(strings.ReplaceAll(a.path, "{id}", id)), tok, body)
				if denied := status == http.StatusForbidden; denied == sc.allow {
					t.Fatalf("%s %s with %s = %d %s, want allowed=%v", a.method, a.path, sc.scope, status, b, sc.allow)
				}
			})
		}
	}
}
