package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestExperiencePageInBrowser opens, in Chromium, an experience page weir
// serves: a layout, page and component created through the API, a CSS file
// uploaded through it, and an endpoint whose flow replies with the page.
// The page must render in its layout, escape its data and load the CSS.
func TestExperiencePageInBrowser(t *testing.T) {
	t.Parallel() // its own weir and browser
	m, owner := openMain(t, DefaultConfig())
	p := mustBrowser(t)
	appID := mustExperiencePage(t, owner)

	p.do("open the page", chromedp.Navigate("http://"+m.Addr()+"/experience/"+appID+"/hello/%3Cb%3EAnn%3C%2Fb%3E"))
	p.waitFor("the page", `document.querySelector('#greeting')`)
	if got := p.text("#greeting"); got != "Hello, <b>Ann</b>" {
		t.Errorf("greeting = %q, want the name as text", got)
	}
	if got := eval[string](p, `document.title`); got != "Hello page" {
		t.Errorf("title = %q, want the one the page filled in its layout's section", got)
	}
	p.waitFor("the CSS file to apply", `getComputedStyle(document.querySelector('#greeting')).color === 'rgb(255, 0, 0)'`)
	if got := p.text(".badge"); got != "/hello/%3Cb%3EAnn%3C%2Fb%3E" && got != "/hello/<b>Ann</b>" {
		t.Errorf("component = %q, want the request path", got)
	}
	if n := eval[int](p, `document.querySelectorAll('#greeting b').length`); n != 0 {
		t.Errorf("the page data became %d HTML elements", n)
	}
	p.checkClean()
}

// TestExperienceBoilerplateLoginPage imports the template library's
// connected-product-foundation boilerplate (its views, files, endpoints and
// flows) and opens its public sign-in page in Chromium: the page renders in
// its layout, with the boilerplate's logo file served.
func TestExperienceBoilerplateLoginPage(t *testing.T) {
	t.Parallel() // its own weir and browser
	dir := t.TempDir()
	m, _ := startMain(t, dir)
	defer m.Close()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"app", "import", appTemplates + "connected-product-foundation", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("app import: %v (%s)", err, stderr.String())
	}
	appID := strings.TrimSpace(stdout.String())
	p := mustBrowser(t)
	p.do("open the sign-in page", chromedp.Navigate("http://"+m.Addr()+"/experience/"+appID+"/login"))
	p.waitFor("the sign-in form", `document.querySelector('form input#email')`)
	if got := p.text("h1"); got != "Sign In" {
		t.Errorf("heading = %q, want Sign In", got)
	}
	if n := eval[int](p, `document.querySelectorAll('body.cpf-layout-no-nav').length`); n != 1 {
		t.Error("the page did not render in its layout cpf-layout-no-nav")
	}
	resp, err := http.Get("http://" + m.Addr() + "/files/" + appID + "/logo_small_1698328270402.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("the boilerplate's logo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestExperienceBoilerplateJourney is where the whole journey goes: sign
// in to the imported connected-product-foundation boilerplate as an
// experience user and walk its pages. Its pages but the public ones need
// experience users and authenticated endpoints, which are not part of weir
// yet.
func TestExperienceBoilerplateJourney(t *testing.T) {
	t.Skip("needs experience users and authenticated endpoints")
}

// mustExperiencePage creates, through the API, an application whose GET
// /hello/{name} endpoint replies with the page "hello" (layout "main",
// component "badge", file site.css) and returns the application's id.
func mustExperiencePage(t *testing.T, c *client) string {
	t.Helper()
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "experience"}, &app)
	base := "/applications/" + app.ID
	var file struct{ ID string }
	c.mustDo(201, "POST", base+"/files", map[string]any{"name": "site.css", "type": "file", "contentType": "text/css"}, &file)
	mustUpload(t, c, base+"/file/"+file.ID+"/upload", "#greeting { color: rgb(255, 0, 0); }\n")

	var layout struct{ ID string }
	c.mustDo(201, "POST", base+"/experience/views", map[string]any{"name": "main", "viewType": "layout",
		"body": `<!doctype html><html><head>{{#section "title"}}<title>weir</title>{{/section}}` +
			`<link rel="stylesheet" href="{{file 'site.css'}}"></head><body>{{page}}{{component "badge" path=request.path}}</body></html>`}, &layout)
	c.mustDo(201, "POST", base+"/experience/views", map[string]any{"name": "badge", "viewType": "component",
		"body": `<footer class="badge">{{@args.path}}</footer>`}, nil)
	var page struct{ ID string }
	c.mustDo(201, "POST", base+"/experience/views", map[string]any{"name": "hello", "viewType": "page", "layoutId": layout.ID,
		"viewTags": map[string]string{"title": "Hello page"},
		"body": `{{#fillSection "title"}}<title>{{experience.page.viewTags.title}}</title>{{/fillSection}}` +
			`<h1 id="greeting">Hello, {{pageData.name}}</h1>`}, &page)
	var ep struct{ ID string }
	c.mustDo(201, "POST", base+"/experience/endpoints", map[string]any{"route": "/hello/{name}", "method": "get", "access": "public"}, &ep)
	c.mustDo(201, "POST", base+"/flows", map[string]any{
		"name": "hello",
		"triggers": []any{map[string]any{"type": "endpoint", "key": ep.ID, "config": map[string]any{},
			"meta": map[string]any{"label": "Endpoint"}, "outputIds": []any{[]any{"reply"}}}},
		"nodes": []any{map[string]any{"id": "reply", "type": "EndpointReplyNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{"replyType": "page", "responseCodeTemplate": "200", "bodyTemplateType": "path",
				"bodyTemplate": "data.params", "pageIdTemplate": page.ID}}},
	}, nil)
	return app.ID
}

// mustUpload sends content as the "file" field of a multipart form to path.
func mustUpload(t *testing.T, c *client, path, content string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "upload")
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte(content))
	w.Close()
	req, err := http.NewRequestWithContext(t.Context(), "POST", c.base+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload %s: %d", path, resp.StatusCode)
	}
}
