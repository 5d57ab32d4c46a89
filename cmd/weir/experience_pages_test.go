package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/nodes"
)

// minTemplatePages is how many GET endpoints of the templates in testdata
// answer with a rendered page; asserted so that a regression shows up.
const minTemplatePages = 25

// TestExperiencePagesLibrary imports every application template it finds
// (below WEIR_TEST_APP_TEMPLATES, a checkout of Losant's template library,
// else the copies in appfile/testdata) into one weir, and asks each GET
// experience endpoint on the application's experience host: public ones
// as a visitor, the others signed in as one of the template's experience
// users (one in a top-level group when there is one; a new user when the
// template has none). It counts the endpoints that answer with a rendered
// page (2xx HTML that is not weir's page error) and logs the figures and
// what the others answered.
func TestExperiencePagesLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("imports templates and asks every endpoint")
	}
	root := os.Getenv("WEIR_TEST_APP_TEMPLATES")
	if root == "" {
		root = appTemplates
	}
	var dirs []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "application.yaml" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if len(dirs) == 0 {
		t.Fatalf("no application templates below %s", root)
	}
	// No flow reaches the network: every HTTP node request gets 200.
	local := &localHTTP{hosts: map[string]int{}}
	nodes.SetHTTPTransport(local)
	t.Cleanup(func() { nodes.SetHTTPTransport(nil) })

	dir := t.TempDir()
	m, out := startMain(t, dir)
	defer m.Close()
	owner := &client{t: t, base: "http://" + m.Addr(), token: ownerToken(t, out.String())}
	signer := &auth.Experience{Users: m.inst.DB, Key: m.inst.Signer.Key}

	imported, endpoints, asked, pages := 0, 0, 0, 0
	answers := map[string]int{}
	for _, d := range dirs {
		rel, _ := filepath.Rel(root, d)
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), []string{"app", "import", d, "--data", dir}, &stdout, &stderr); err != nil {
			t.Errorf("%s: import: %v (%s)", rel, err, stderr.String())
			continue
		}
		imported++
		appID := strings.TrimSpace(stdout.String())
		var eps struct {
			Items []struct{ ID, Route, Method, Access string }
		}
		owner.mustDo(200, "GET", "/applications/"+appID+"/experience/endpoints?perPage=1000", nil, &eps)
		endpoints += len(eps.Items)
		if len(eps.Items) == 0 {
			continue
		}
		token := experienceToken(t, owner, signer, appID)
		site := strings.TrimSuffix(weirhttp.ExperienceURL(appID, weirhttp.DefaultExperienceDomain, m.Addr()), "/")
		var (
			mu     sync.Mutex
			wg     sync.WaitGroup
			slots  = make(chan struct{}, 4)
			tplPgs int
		)
		for _, ep := range eps.Items {
			if ep.Method != "get" {
				continue
			}
			asked++
			wg.Add(1)
			slots <- struct{}{}
			go func() {
				defer func() { <-slots; wg.Done() }()
				tok := token
				if ep.Access == weir.EndpointAccessPublic {
					tok = ""
				}
				answer := askPage(m.Addr(), site, samplePath(ep.Route), tok)
				mu.Lock()
				defer mu.Unlock()
				answers[answer]++
				if answer == "page" {
					tplPgs++
				} else if testing.Verbose() {
					t.Logf("%s: GET %s (%s): %s", rel, ep.Route, ep.Access, answer)
				}
			}()
		}
		wg.Wait()
		pages += tplPgs
		t.Logf("%s: %d endpoints, %d pages", rel, len(eps.Items), tplPgs)
	}
	t.Logf("answers: %v", answers)
	fmt.Printf("experience pages: %d templates imported (of %d), %d experience endpoints, %d GET endpoints asked, %d answered with a rendered page\n",
		imported, len(dirs), endpoints, asked, pages)
	if root == appTemplates && pages < minTemplatePages {
		t.Errorf("%d endpoints of the testdata templates render a page, want at least %d", pages, minTemplatePages)
	}
	if imported != len(dirs) {
		t.Errorf("%d of %d templates imported", imported, len(dirs))
	}
}

// experienceToken returns a token of one of the application's experience
// users: one in a top-level group, else the first, else a new one.
func experienceToken(t *testing.T, owner *client, signer *auth.Experience, appID string) string {
	t.Helper()
	var users struct {
		Items []struct {
			ID               string
			ExperienceGroups []struct{ ParentID *string }
		}
	}
	owner.mustDo(200, "GET", "/applications/"+appID+"/experience/users?perPage=1000", nil, &users)
	id := ""
	for _, u := range users.Items {
		if id == "" {
			id = u.ID
		}
		if slices.ContainsFunc(u.ExperienceGroups, func(g struct{ ParentID *string }) bool { return g.ParentID == nil }) {
			id = u.ID
			break
		}
	}
	if id == "" {
		var u struct{ ID string }
		owner.mustDo(201, "POST", "/applications/"+appID+"/experience/users",
			map[string]any{"email": "pages@example.com", "password": "correct horse battery", "firstName": "Page"}, &u)
		id = u.ID
	}
	tok, err := signer.IssueToken(&weir.ExperienceUser{ID: id, ApplicationID: appID}, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// routeParam is one {param}, {param?} or {param*} of a route.
var routeParam = regexp.MustCompile(`\{[^}]*\}`)

// samplePath fills each parameter of route with a sample value.
func samplePath(route string) string {
	return routeParam.ReplaceAllString(route, "1")
}

// askPage asks GET site+path through weir at addr, signed in with the
// cookie token when it is not "", and names the answer: "page" for a
// rendered page, else what came instead.
func askPage(addr, site, path, token string) string {
	req, err := http.NewRequest("GET", site+path, nil)
	if err != nil {
		return "bad request: " + err.Error()
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "authorization", Value: token})
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}},
	}
	resp, err := client.Do(req)
	if err != nil {
		return "no answer within 10 s"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case bytes.Contains(b, []byte("<title>Error rendering page</title>")):
		return fmt.Sprintf("%d page error", resp.StatusCode)
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && ct == "text/html":
		return "page"
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Sprintf("%d redirect", resp.StatusCode)
	case ct == "application/json" && resp.StatusCode == 404 && bytes.Contains(b, []byte("No workflow handles")):
		return "404 no workflow handles it"
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, ct)
}
