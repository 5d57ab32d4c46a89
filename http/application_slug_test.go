package http_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

// TestApplicationSlugAndBlobTTL: an application keeps its endpointSlug and
// blobUrlTTL through post, patch, get and list; a slug another application
// has, a malformed slug and a TTL out of Losant's range are refused with a
// Validation error and change nothing.
func TestApplicationSlugAndBlobTTL(t *testing.T) {
	h := newHarness(t)
	as := h.mustAs(t, h.user)
	a := as("POST", "/applications", map[string]any{"name": "Farm", "endpointSlug": "my-farm", "blobUrlTTL": 7200}, 201, "application")
	id, _ := a["id"].(string)
	if a["endpointSlug"] != "my-farm" || a["blobUrlTTL"] != 7200.0 {
		t.Errorf("post answered %v, want endpointSlug my-farm and blobUrlTTL 7200", a)
	}
	if got := as("GET", "/applications/"+id, nil, 200, "application"); got["endpointSlug"] != "my-farm" || got["blobUrlTTL"] != 7200.0 {
		t.Errorf("get answered %v, want endpointSlug my-farm and blobUrlTTL 7200", got)
	}
	list := as("GET", "/applications?filterField=name&filter=Farm", nil, 200, "applications")
	if items, _ := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["endpointSlug"] != "my-farm" {
		t.Errorf("list answered %v, want Farm with its slug", list)
	}
	// Without a slug or TTL, the answer has neither.
	if b := as("GET", "/applications/"+h.appB, nil, 200, "application"); b["endpointSlug"] != nil || b["blobUrlTTL"] != nil {
		t.Errorf("application B, given neither, answers %v", b)
	}

	// A patch without the fields keeps them.
	if got := as("PATCH", "/applications/"+id, map[string]any{"description": "d"}, 200, "application"); got["endpointSlug"] != "my-farm" || got["blobUrlTTL"] != 7200.0 {
		t.Errorf("patch of the description answered %v, want the slug and TTL kept", got)
	}

	before := h.store.appCount()
	taken := "Endpoint slug my-farm is already in use"
	status, b := h.do("POST", "/applications", h.user, `{"name":"Other","endpointSlug":"my-farm"}`)
	wantError(t, status, b, http.StatusBadRequest, weir.Validation, taken)
	status, b = h.do("PATCH", "/applications/"+h.appB, h.user, `{"name":"B renamed","endpointSlug":"my-farm"}`)
	wantError(t, status, b, http.StatusBadRequest, weir.Validation, taken)

	for _, tc := range []struct{ body, msg string }{
		{`{"endpointSlug":"ab"}`, ""},
		{`{"endpointSlug":"My-Farm"}`, ""},
		{`{"endpointSlug":"my_farm"}`, ""},
		{`{"endpointSlug":"` + strings.Repeat("a", 64) + `"}`, ""},
		{`{"endpointSlug":"` + h.appA + `"}`, "endpointSlug " + h.appA + " has the shape of an application id (24 hexadecimal digits), which names experience hosts already"},
		{`{"endpointSlug":null}`, ""},
		{`{"blobUrlTTL":3599}`, ""},
		{`{"blobUrlTTL":604801}`, ""},
		{`{"blobUrlTTL":"3600"}`, ""},
	} {
		status, b := h.do("PATCH", "/applications/"+h.appB, h.user, `{"name":"B renamed",`+tc.body[1:])
		wantError(t, status, b, http.StatusBadRequest, weir.Validation, tc.msg)
		status, b = h.do("POST", "/applications", h.user, `{"name":"New",`+tc.body[1:])
		wantError(t, status, b, http.StatusBadRequest, weir.Validation, tc.msg)
	}
	if n := h.store.appCount(); n != before {
		t.Errorf("%d applications after refused posts, want %d", n, before)
	}
	if got := as("GET", "/applications/"+h.appB, nil, 200, "application"); got["name"] != "App B" || got["endpointSlug"] != nil || got["blobUrlTTL"] != nil {
		t.Errorf("application B after refused patches = %v, want it unchanged", got)
	}

	// A new slug frees the old one; the limits are allowed.
	as("PATCH", "/applications/"+id, map[string]any{"endpointSlug": "farm-2", "blobUrlTTL": 604800}, 200, "application")
	if got := as("PATCH", "/applications/"+h.appB, map[string]any{"endpointSlug": "my-farm", "blobUrlTTL": 3600}, 200, "application"); got["endpointSlug"] != "my-farm" || got["blobUrlTTL"] != 3600.0 {
		t.Errorf("B taking the freed slug answered %v", got)
	}
}

// slugHostHarness serves application A's experience (a static redirect to
// /a at GET /where) and B's (to /b) below the experience domain apps.test;
// A's endpointSlug is farm.
func slugHostHarness(t *testing.T) *webhookHarness {
	t.Helper()
	fake := &fakeEndpoints{}
	h := newWebhookHarness(t, func(s *weirhttp.Server) {
		s.Endpoints = fake
		s.ExperienceDomain = "apps.test"
	})
	for app, to := range map[string]string{h.appA: "/a", h.appB: "/b"} {
		fake.eps = append(fake.eps, &weir.ExperienceEndpoint{ID: weir.NewID(), ApplicationID: app, Route: "/where", Method: "get",
			Access: weir.EndpointAccessPublic, Enabled: true, StaticReply: &weir.StaticReply{Type: "redirect", Value: to}})
	}
	h.mustAs(t, h.user)("PATCH", "/applications/"+h.appA, map[string]any{"endpointSlug": "farm"}, 200, "application")
	return h
}

// hostDo sends a GET of path to h with the Host header host, without
// following redirects, and returns the status, Location and body.
func hostDo(t *testing.T, h *harness, host, path, token string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", h.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestExperienceHostSlug: {endpointSlug}.{domain} serves the application's
// experience as {applicationId}.{domain} does, and nothing else; a slug
// no application has, or has no more, answers as a path no endpoint
// serves.
func TestExperienceHostSlug(t *testing.T) {
	h := slugHostHarness(t)
	for _, tc := range []struct{ host, want string }{
		{"farm.apps.test", "/a"},
		{"FARM.apps.test:8080", "/a"},
		{h.appA + ".apps.test", "/a"},
		{h.appB + ".apps.test", "/b"},
	} {
		if status, loc, body := hostDo(t, h.harness, tc.host, "/where", ""); status != http.StatusFound || loc != tc.want {
			t.Errorf("GET %s/where = %d %q %s, want a redirect to %s", tc.host, status, loc, body, tc.want)
		}
	}

	status, _, notFound := hostDo(t, h.harness, "farm.apps.test", "/nothing", "")
	if status != http.StatusNotFound {
		t.Fatalf("unknown path on the slug's host = %d %s, want 404", status, notFound)
	}
	for _, tc := range []struct{ host, path, token, why string }{
		{"nobody.apps.test", "/where", "", "a slug no application has"},
		{"no.apps.test", "/where", "", "a label too short to be a slug"},
		{"farm.apps.test", "/applications", h.user, "the API on a slug's host"},
		{"farm.apps.test", "/applications/" + h.appA, h.user, "A's application on its slug's host"},
		{"farm.apps.test", "/files/" + h.appB + "/x.css", "", "B's files on A's slug's host"},
		{"x.farm.apps.test", "/where", "", "a host two labels below the domain"},
	} {
		if status, _, body := hostDo(t, h.harness, tc.host, tc.path, tc.token); status != http.StatusNotFound || body != notFound {
			t.Errorf("%s (GET %s%s) = %d %q, want the 404 of an unknown path, %q", tc.why, tc.host, tc.path, status, body, notFound)
		}
	}

	// A new slug takes the host; the old one names nothing any more.
	h.mustAs(t, h.user)("PATCH", "/applications/"+h.appA, map[string]any{"endpointSlug": "barn"}, 200, "application")
	if status, loc, _ := hostDo(t, h.harness, "barn.apps.test", "/where", ""); status != http.StatusFound || loc != "/a" {
		t.Errorf("GET barn.apps.test/where = %d %q, want A's redirect", status, loc)
	}
	if status, _, body := hostDo(t, h.harness, "farm.apps.test", "/where", ""); status != http.StatusNotFound || body != notFound {
		t.Errorf("the old slug's host = %d %q, want the 404 of an unknown path", status, body)
	}
}

// appCount returns how many applications m holds.
func (m *memStore) appCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.apps)
}
