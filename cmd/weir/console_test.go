package main

import (
	"encoding/json"
	"flag"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// consoleURL is the console of m signed in with token, as weir serve prints it.
func consoleURL(m *Main, token string) string { return consoleLink(m.Addr(), token) }

func TestConsoleServedAndOff(t *testing.T) {
	m, _ := openMain(t, DefaultConfig())
	resp, err := http.Get("http://" + m.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/console/" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("GET / ended at %s with %d, CSP %q; want the console", resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}

	cfg := DefaultConfig()
	cfg.Console = false
	off, _ := openMain(t, cfg)
	resp, err = http.Get("http://" + off.Addr() + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /console/ with --console=false = %d, want 404", resp.StatusCode)
	}
}

func TestConsoleFlagAndEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want bool
	}{
		{"Default", "", nil, true},
		{"Flag", "", []string{"--console=false"}, false},
		{"Env", "false", nil, false},
		{"FlagWinsOverEnv", "false", []string{"--console=true"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("WEIR_CONSOLE", tc.env)
			}
			cfg := DefaultConfig()
			fs := flag.NewFlagSet("weir serve", flag.ContinueOnError)
			cfg.bind(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if cfg.Console != tc.want {
				t.Errorf("Console = %v, want %v", cfg.Console, tc.want)
			}
		})
	}
}

func TestConsoleLink(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/console/#token=T",
		"0.0.0.0:80":     "http://localhost:80/console/#token=T",
		":8080":          "http://localhost:8080/console/#token=T",
		"[::]:9":         "http://localhost:9/console/#token=T",
		"[::1]:9":        "http://[::1]:9/console/#token=T",
	} {
		if got := consoleLink(addr, "T"); got != want {
			t.Errorf("consoleLink(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestConsoleSignIn signs in from the printed link and by pasting a token,
// and is sent back to sign-in when its token is revoked.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	m, owner := openMain(t, DefaultConfig())
	p := mustBrowser(t)

	p.open(consoleURL(m, owner.token))
	p.waitFor("the applications page", `document.querySelector('h1')?.textContent === 'Applications'`)
	if loc := eval[string](p, `location.href`); strings.Contains(loc, "token") {
		t.Errorf("the address still holds the token: %s", loc)
	}
	if got := eval[string](p, `sessionStorage.getItem('weir.token')`); got != owner.token {
		t.Errorf("sessionStorage token = %q, want the owner token", got)
	}
	if n := eval[int](p, `localStorage.length`); n != 0 {
		t.Errorf("localStorage holds %d items, want none", n)
	}

	// Sign out, then a wrong token is refused and the right one accepted.
	p.click("#signout")
	p.waitFor("the sign-in page", `document.querySelector('#token')`)
	if got := eval[string](p, `String(sessionStorage.getItem('weir.token'))`); got != "null" {
		t.Errorf("after sign-out sessionStorage token = %q", got)
	}
	p.fill("#token", "not-a-token")
	p.click("#signin")
	p.waitFor("the refusal", `document.querySelector('#signin-error')?.textContent.includes('not valid')`)

	// An application token lands on its application; revoking it ends the session.
	var app struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	var tok struct{ ID, Token string }
	owner.mustDo(201, "POST", "/applications/"+app.ID+"/tokens", map[string]any{"name": "console", "scope": []string{"all.Application"}}, &tok)
	p.fill("#token", tok.Token)
	p.click("#signin")
	p.waitFor("the application's flows", `document.querySelector('#app-name')?.textContent === 'Greenhouse'`)
	owner.mustDo(200, "DELETE", "/applications/"+app.ID+"/tokens/"+tok.ID, nil, nil)
	time.Sleep(1100 * time.Millisecond) // token records are cached for up to a second
	p.fill("#new-flow-name", "After revocation")
	p.click("#create-flow")
	p.waitFor("sign-in with the reason", `document.querySelector('#signin-error')?.textContent.includes('revoked')`)
	if got := eval[string](p, `String(sessionStorage.getItem('weir.token'))`); got != "null" {
		t.Errorf("after revocation sessionStorage token = %q", got)
	}
	p.checkClean()
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
}

// jsonDiff shows how two values differ as JSON documents.
func jsonDiff(t *testing.T, want, got any) string {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  any
		out *any
	}{{want, &x}, {got, &y}} {
		data, err := json.Marshal(p.in)
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(data, p.out)
	}
	return cmp.Diff(x, y)
}

// jsonEqual compares two values as JSON documents.
func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  any
		out *any
	}{{a, &x}, {b, &y}} {
		data, err := json.Marshal(p.in)
		if err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(data, p.out)
	}
	return cmp.Equal(x, y)
}
