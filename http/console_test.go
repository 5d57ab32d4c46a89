package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	weirhttp "github.com/weirhq/weir/http"
)

func consoleServer(t *testing.T, files fstest.MapFS) *httptest.Server {
	t.Helper()
	s := weirhttp.NewServer()
	if files != nil {
		s.Console = files
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestConsole(t *testing.T) {
	srv := consoleServer(t, fstest.MapFS{
		"index.html":       {Data: []byte(`<!doctype html><script type="module" src="main-ABCDEFGH.js"></script>`)},
		"main-ABCDEFGH.js": {Data: []byte(`console.log(1)`)},
		"icon.svg":         {Data: []byte(`<svg/>`)},
	})
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := noRedirect.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("RootRedirects", func(t *testing.T) {
		resp := get("/")
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
			t.Errorf("GET / = %d Location %q, want 302 to /console/", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("Index", func(t *testing.T) {
		resp := get("/console/")
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /console/ = %d %s, want 200 HTML", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("CSP %q allows unsafe sources", csp)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("index Cache-Control = %q, want no-cache", got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy = %q", got)
		}
	})
	t.Run("HashedAssetCachedForGood", func(t *testing.T) {
		resp := get("/console/main-ABCDEFGH.js")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET script = %d Cache-Control %q, want 200 immutable", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if resp := get("/console/icon.svg"); resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("unhashed asset Cache-Control = %q, want no-cache", resp.Header.Get("Cache-Control"))
		}
	})
	t.Run("MissingAsset", func(t *testing.T) {
		if resp := get("/console/nope.js"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET missing asset = %d, want 404", resp.StatusCode)
		}
		if resp := get("/console/../../etc/passwd"); resp.StatusCode == http.StatusOK {
			t.Errorf("GET outside the console = %d", resp.StatusCode)
		}
	})
	t.Run("NoSlash", func(t *testing.T) {
		resp := get("/console")
		if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/console/" {
			t.Errorf("GET /console = %d %q, want a redirect to /console/", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestConsoleOff(t *testing.T) {
	srv := consoleServer(t, nil)
	for _, path := range []string{"/", "/console/"} {
		resp, err := noRedirect.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without a console = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestSpecs(t *testing.T) {
	h := newHarness(t)
	status, body := h.do("GET", "/specs", "", nil)
	wantError(t, status, body, http.StatusForbidden, weir.Forbidden, "Access is forbidden")
	status, body = h.do("GET", "/specs", "not.a.token", nil)
	if status != http.StatusUnauthorized {
		t.Errorf("GET /specs with a bad token = %d, want 401", status)
	}
	status, body = h.do("GET", "/specs", h.tokA, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /specs = %d %s", status, body)
	}
	var doc struct {
		Nodes, Triggers []struct {
			Type    string
			Outputs []string
			Fields  []struct{ Name, Path, Kind string }
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, s := range doc.Triggers {
		types[s.Type] = len(s.Outputs)
		for _, f := range s.Fields {
			if f.Path != "key" && !strings.HasPrefix(f.Path, "config.") && !strings.HasPrefix(f.Path, "meta.") {
				t.Errorf("trigger %s field path %q is neither key, config.… nor meta.…", s.Type, f.Path)
			}
		}
	}
	for _, want := range []string{"virtualButton", "webhook", "timer", "mqttTopic", "request", "endpoint", "flowError"} {
		if types[want] != 1 {
			t.Errorf("trigger %s: %d outputs, want a spec with 1", want, types[want])
		}
	}
	for _, s := range doc.Nodes {
		for _, f := range s.Fields {
			if f.Path != "config."+f.Name {
				t.Errorf("node %s field %s has path %q", s.Type, f.Name, f.Path)
			}
		}
	}
}

func TestSpecsCheck(t *testing.T) {
	if _, _, ok := engine.Lookup("CheckTestNode"); !ok { // -count=2 runs this twice
		engine.Register(engine.Spec{Type: "CheckTestNode"}, buildCheckTestNode)
	}
	h := newHarness(t)
	body := map[string]any{"nodes": []map[string]any{
		{"id": "good", "type": "CheckTestNode", "config": map[string]any{"need": "x"}},
		{"id": "bad", "type": "CheckTestNode", "config": map[string]any{}},
		{"id": "alien", "type": "NoSuchNode"},
	}}
	status, got := h.do("POST", "/specs/check", h.tokA, body)
	if status != http.StatusOK {
		t.Fatalf("POST /specs/check = %d %s", status, got)
	}
	if want := `{"problems":[{"nodeId":"bad","type":"CheckTestNode","message":"need is required"}]}`; strings.TrimSpace(string(got)) != want {
		t.Errorf("POST /specs/check = %s, want %s", got, want)
	}
	status, got = h.do("POST", "/specs/check", "", body)
	wantError(t, status, got, http.StatusForbidden, weir.Forbidden, "Access is forbidden")
	status, got = h.do("POST", "/specs/check", h.tokA, "not an object")
	wantError(t, status, got, http.StatusBadRequest, weir.Validation, "body must be an object with a nodes array of flow nodes")
}

// buildCheckTestNode needs a non-empty config field "need".
func buildCheckTestNode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct{ Need string }
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.Need == "" {
		return nil, engine.Errorf("Validation", "need is required")
	}
	return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) { return 0, nil }), nil
}
