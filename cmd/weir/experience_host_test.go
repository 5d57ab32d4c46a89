package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

// hostGet asks weir at addr for path with the Host header host, without
// following redirects, and returns the status, content type and body.
func hostGet(t *testing.T, addr, host, path, token string) (int, string, string) {
	t.Helper()
	req := hostRequest(t, addr, host, path)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, b := askOnce(t, req)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// hostRequest is a GET of path from weir at addr with the Host header host.
func hostRequest(t *testing.T, addr, host, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	return req
}

// hostRefusal is a request an experience host answers as a path no
// endpoint serves, and why.
type hostRefusal struct{ host, path, token, why string }

// mustAnswerAsUnknownPath fails t unless weir at addr answers each of
// refusals exactly as it answers a path no endpoint of host serves (a 404
// that says nothing of what exists).
func mustAnswerAsUnknownPath(t *testing.T, addr, host string, refusals []hostRefusal) {
	t.Helper()
	status, _, notFound := hostGet(t, addr, host, "/nothing/here", "")
	if status != 404 {
		t.Fatalf("unknown path on %s = %d %s, want 404", host, status, notFound)
	}
	for _, tc := range refusals {
		if status, _, body := hostGet(t, addr, tc.host, tc.path, tc.token); status != 404 || body != notFound {
			t.Errorf("%s (GET %s%s) = %d %q, want the 404 of an unknown path, %q", tc.why, tc.host, tc.path, status, body, notFound)
		}
	}
}

// TestExperienceHost: each application's experience answers at the root of
// its own host below --experience-domain, with its files; nothing of
// another application, of the API or of the console is reachable there,
// an unknown host answers as an unknown path does, and the experience
// still answers below /experience/{applicationId}/ on the API's host.
func TestExperienceHost(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	a, b := mustExperiencePage(t, owner), mustExperiencePage(t, owner)
	_, port, _ := strings.Cut(m.Addr(), ":")
	hostA, hostB := a+".localhost:"+port, strings.ToUpper(b)+".LOCALHOST:"+port

	for _, tc := range []struct{ host, app string }{{hostA, a}, {hostB, b}} {
		status, ct, body := hostGet(t, m.Addr(), tc.host, "/hello/Ann", "")
		if status != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `<h1 id="greeting">Hello, Ann</h1>`) {
			t.Fatalf("GET %s/hello/Ann = %d %s %q, want the page", tc.host, status, ct, body)
		}
		if !strings.Contains(body, `<footer class="badge">/hello/Ann</footer>`) {
			t.Errorf("%s: request.path is not the path from the host's root: %q", tc.host, body)
		}
		if want := `href="/files/` + tc.app + `/site.css"`; !strings.Contains(body, want) {
			t.Errorf("%s: the page does not link its own file (%s): %q", tc.host, want, body)
		}
		status, ct, body = hostGet(t, m.Addr(), tc.host, "/files/"+tc.app+"/site.css", "")
		if status != 200 || ct != "text/css" || !strings.Contains(body, "#greeting") {
			t.Errorf("GET %s/files/%s/site.css = %d %s %q, want the CSS", tc.host, tc.app, status, ct, body)
		}
	}
	if got := weirhttp.ExperienceURL(a, "localhost", m.Addr()); got != "http://"+hostA+"/" {
		t.Errorf("ExperienceURL = %q, want http://%s/", got, hostA)
	}

	// What one gets for a path no endpoint of A serves is what every
	// refused request below gets: nothing says whether there is more.
	mustAnswerAsUnknownPath(t, m.Addr(), hostA, []hostRefusal{
		{hostA, "/files/" + b + "/site.css", "", "B's file on A's host"},
		{hostA, "/applications", owner.token, "the API on an experience host"},
		{hostA, "/applications/" + a, owner.token, "A's application on its experience host"},
		{hostA, "/console/", "", "the console on an experience host"},
		{hostA, "/health", "", "the health check on an experience host"},
		{weir.NewID() + ".localhost:" + port, "/hello/Ann", "", "an application that does not exist"},
		{"not-an-id.localhost:" + port, "/hello/Ann", "", "a label that is no id"},
		{"x." + a + ".localhost:" + port, "/hello/Ann", "", "a host two labels below the domain"},
		{"x." + a + ".localhost:" + port, "/applications", owner.token, "the API two labels below the domain"},
	})

	// Path tricks find no file ("File was not found", as on the API's host).
	for _, p := range []string{"/files/" + a + "/../" + b + "/site.css", "/files/" + a + "/%2e%2e/" + b + "/site.css", "/files/" + a + "/x/..//site.css"} {
		if status, _, body := hostGet(t, m.Addr(), hostA, p, ""); status != 404 || strings.Contains(body, "#greeting") {
			t.Errorf("GET %s%s = %d %q, want 404", hostA, p, status, body)
		}
	}

	// The API's own hosts and the old paths are unchanged.
	for _, host := range []string{m.Addr(), "localhost:" + port} {
		if status, _, body := hostGet(t, m.Addr(), host, "/applications/"+a, owner.token); status != 200 || !strings.Contains(body, a) {
			t.Errorf("GET %s/applications/%s = %d %q, want the application", host, a, status, body)
		}
		if status, _, body := hostGet(t, m.Addr(), host, "/experience/"+a+"/hello/Bo", ""); status != 200 || !strings.Contains(body, "Hello, Bo") {
			t.Errorf("GET %s/experience/%s/hello/Bo = %d %q, want the page", host, a, status, body)
		}
	}
}

// TestExperienceHostOff: with --experience-domain "" no host is an
// experience's: an application's id below localhost reaches the API.
func TestExperienceHostOff(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.ExperienceDomain = ""
	m, owner := openMain(t, cfg)
	a := mustExperiencePage(t, owner)
	_, port, _ := strings.Cut(m.Addr(), ":")
	if status, _, body := hostGet(t, m.Addr(), a+".localhost:"+port, "/applications/"+a, owner.token); status != 200 {
		t.Errorf("GET /applications/%s on %s.localhost = %d %q, want the API", a, a, status, body)
	}
	if status, _, _ := hostGet(t, m.Addr(), a+".localhost:"+port, "/hello/Ann", ""); status != 404 {
		t.Errorf("GET /hello/Ann with no experience domain = %d, want 404", status)
	}
}

// TestExperienceHostSlug: an application's endpointSlug names a host of
// its experience besides its id, {endpointSlug}.localhost, with the same
// isolation; another application cannot take the slug, and a slug given
// up names nothing.
func TestExperienceHostSlug(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	a, b := mustExperiencePage(t, owner), mustExperiencePage(t, owner)
	_, port, _ := strings.Cut(m.Addr(), ":")
	owner.mustDo(200, "PATCH", "/applications/"+a, map[string]any{"endpointSlug": "green-farm"}, nil)
	host := "green-farm.localhost:" + port

	status, ct, body := hostGet(t, m.Addr(), host, "/hello/Ann", "")
	if status != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `<h1 id="greeting">Hello, Ann</h1>`) ||
		!strings.Contains(body, `href="/files/`+a+`/site.css"`) {
		t.Fatalf("GET %s/hello/Ann = %d %s %q, want A's page linking A's file", host, status, ct, body)
	}
	if status, ct, body := hostGet(t, m.Addr(), host, "/files/"+a+"/site.css", ""); status != 200 || ct != "text/css" {
		t.Errorf("GET %s/files/%s/site.css = %d %s %q, want A's CSS", host, a, status, ct, body)
	}
	if got := weirhttp.ExperienceURL("green-farm", "localhost", m.Addr()); got != "http://"+host+"/" {
		t.Errorf("ExperienceURL of the slug = %q, want http://%s/", got, host)
	}

	var refused struct{ Type, Message string }
	if got := owner.do("PATCH", "/applications/"+b, map[string]any{"endpointSlug": "green-farm"}, &refused); got != 400 ||
		refused.Type != "Validation" || refused.Message != "Endpoint slug green-farm is already in use" {
		t.Errorf("B taking A's slug = %d %+v, want 400 Validation", got, refused)
	}

	mustAnswerAsUnknownPath(t, m.Addr(), host, []hostRefusal{
		{host, "/files/" + b + "/site.css", "", "B's file on A's slug's host"},
		{host, "/applications/" + a, owner.token, "the API on a slug's host"},
		{host, "/console/", "", "the console on a slug's host"},
		{"brown-farm.localhost:" + port, "/hello/Ann", "", "a slug no application has"},
	})

	// A gives the slug up to B: the host is B's now.
	owner.mustDo(200, "PATCH", "/applications/"+a, map[string]any{"endpointSlug": "old-farm"}, nil)
	owner.mustDo(200, "PATCH", "/applications/"+b, map[string]any{"endpointSlug": "green-farm"}, nil)
	if status, _, body := hostGet(t, m.Addr(), host, "/hello/Bo", ""); status != 200 || !strings.Contains(body, `href="/files/`+b+`/site.css"`) {
		t.Errorf("GET %s/hello/Bo after B took the slug = %d %q, want B's page", host, status, body)
	}
}
