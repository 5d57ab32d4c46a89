package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	weirhttp "github.com/weirhq/weir/http"
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
	app := mustImportApp(t, "connected-product-foundation")
	m, appID := app.m, app.id
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

// TestExperienceBoilerplateJourney imports the template library's
// connected-product-foundation boilerplate and walks it in Chromium as its
// users do, on the application's experience host: the home page sending a
// visitor to the sign-in page (the experience version's unauthorized
// reply), which has the version's title and favicon, the theme's CSS and
// logo served from the application's files, a wrong
// password refused, a sign-in landing on the home page (the static page
// reply of /), the profile page with the user's details, and a profile
// change the server keeps (checked through the API). The boilerplate's users come without passwords, so
// the test sets one through the API as an administrator would.
func TestExperienceBoilerplateJourney(t *testing.T) {
	t.Parallel() // its own weir and browser
	app := mustImportApp(t, "connected-product-foundation")
	m, owner, appID := app.m, app.owner, app.id
	var users struct {
		Items []struct{ ID, Email string }
	}
	owner.mustDo(200, "GET", "/applications/"+appID+"/experience/users?filterField=email&filter=system-admin@example.com", nil, &users)
	if len(users.Items) != 1 {
		t.Fatalf("the boilerplate's system administrator: %+v", users.Items)
	}
	user := "/applications/" + appID + "/experience/users/" + users.Items[0].ID
	const password = "correct horse battery"
	owner.mustDo(200, "PATCH", user, map[string]any{"password": password, "firstName": "Ada", "lastName": "Lovelace"}, nil)

	site := strings.TrimSuffix(weirhttp.ExperienceURL(appID, weirhttp.DefaultExperienceDomain, m.Addr()), "/")
	p := mustBrowser(t)
	// / needs a signed-in user: the experience version's unauthorized
	// reply sends a visitor to the sign-in page, naming where to go back.
	p.do("open the home page signed out", chromedp.Navigate(site+"/"))
	waitAcrossNavigation(p, "the sign-in form", `location.pathname === '/login' && document.querySelector('form input#email')`)
	if got := eval[string](p, `location.search`); got != "?redirect=%2F%3F" {
		t.Errorf("redirected to /login%s, want /login?redirect=%%2F%%3F (the version's unauthorized reply)", got)
	}
	if got := p.text("h1"); got != "Sign In" {
		t.Errorf("heading = %q, want Sign In", got)
	}
	// The title template, the favicon and the company name are the
	// experience version's globals.
	if got := eval[string](p, `document.title`); got != "CPF | Log In" {
		t.Errorf("title = %q, want CPF | Log In (the version's title_template around the page's title)", got)
	}
	favicon := site + "/files/" + appID + "/favicon_1700165919750.png"
	if got := eval[string](p, `document.querySelector('link[rel="shortcut icon"]').href`); got != favicon {
		t.Errorf("favicon = %q, want %s (the version's favicon global)", got, favicon)
	}
	if got := p.text("footer"); !strings.Contains(got, "Losant IoT, Inc. All rights reserved.") {
		t.Errorf("footer = %q, want the version's company_name", got)
	}
	// The theme (customTheme.min.css, an application file) styles the
	// page, /styles.css (an endpoint rendering a page) places the logo,
	// and the logo comes from the application's files.
	p.waitFor("the theme's CSS from the application's files", `getComputedStyle(document.querySelector('div.text-center')).textAlign === 'center'`)
	p.waitFor("/styles.css from its endpoint", `getComputedStyle(document.querySelector('.cpf-logo-large')).height === '120px'`)
	logo := "/files/" + appID + "/logo_large_1695842869349.png"
	if got := eval[string](p, `getComputedStyle(document.querySelector('.cpf-logo-large')).backgroundImage`); !strings.Contains(got, site+logo) {
		t.Errorf("logo background = %q, want %s", got, site+logo)
	}
	p.waitFor("the logo to load", fmt.Sprintf(`performance.getEntriesByType('resource').some((e) => e.name === %s && e.responseStatus === 200)`, jsString(site+logo)))

	p.fill("#email", "system-admin@example.com")
	p.fill("#password", "not the password")
	p.click("form button[type=submit]")
	waitAcrossNavigation(p, "the refusal", `document.querySelector('.alert-danger')`)
	if got := p.text(".alert-danger"); got != "Invalid email or password." {
		t.Errorf("refusal = %q", got)
	}
	if got := eval[string](p, `document.querySelector('#email').value`); got != "system-admin@example.com" {
		t.Errorf("the refused page keeps email %q", got)
	}

	p.fill("#password", password)
	p.click("form button[type=submit]")
	// The sign-in redirects to /, whose endpoint no workflow handles: its
	// static reply renders the home page, in the layout with navigation.
	waitAcrossNavigation(p, "the home page", `location.pathname === '/' && document.querySelector('h1')?.innerText === 'Dashboard'`)
	if n := eval[int](p, `document.querySelectorAll('turbo-frame#cpf-element-device-summary').length`); n != 1 {
		t.Error("the home page lacks its device summary frame")
	}
	p.do("open the profile", chromedp.Navigate(site+"/me/profile"))
	waitAcrossNavigation(p, "the profile page", `location.pathname === '/me/profile' && document.querySelector('#first_name')`)
	if got := p.text("h1"); got != "Your Profile" {
		t.Errorf("signed-in heading = %q, want Your Profile", got)
	}
	for sel, want := range map[string]string{"#email": "system-admin@example.com", "#first_name": "Ada", "#last_name": "Lovelace"} {
		if got := eval[string](p, fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel))); got != want {
			t.Errorf("profile %s = %q, want %q", sel, got, want)
		}
	}
	if !eval[bool](p, `document.cookie.split('; ').some((c) => c.startsWith('authorization=ey'))`) {
		t.Error("no authorization cookie after signing in")
	}

	p.fill("#first_name", "Grace")
	p.fill("#title", "Rear Admiral")
	p.click("#updateProfile button[type=submit]")
	waitAcrossNavigation(p, "the profile saved", `location.search === '?success=true' && document.querySelector('.alert-success')`)
	if got := eval[string](p, `document.querySelector('#first_name').value`); got != "Grace" {
		t.Errorf("profile first name after saving = %q, want Grace", got)
	}
	var saved struct {
		Email, FirstName, LastName string
		UserTags                   map[string]string
	}
	owner.mustDo(200, "GET", user, nil, &saved)
	if saved.FirstName != "Grace" || saved.LastName != "Lovelace" || saved.UserTags["title"] != "Rear Admiral" || saved.UserTags["cpf_role"] != "admin" {
		t.Errorf("the user through the API = %+v, want first name Grace, last name Lovelace, tags title and cpf_role kept", saved)
	}
	p.checkClean()
}

// waitAcrossNavigation is waitFor for an expression about a page still
// loading: a form posted by the browser replaces the document, and an
// evaluation in the old one fails rather than waits.
func waitAcrossNavigation(p *browserPage, what, expression string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool]("!!("+expression+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s (%s): %v; page says: %s", what, expression, err, p.text("body"))
		}
		time.Sleep(25 * time.Millisecond)
	}
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
	c.mustDo(201, "POST", base+"/flows", pageFlow("hello", ep.ID, page.ID), nil)
	return app.ID
}

// pageFlow returns a flow named name whose endpoint trigger, for endpoint
// endpointID, replies with page pageID and the route's parameters as its
// pageData.
func pageFlow(name, endpointID, pageID string) map[string]any {
	return map[string]any{
		"name": name,
		"triggers": []any{map[string]any{"type": "endpoint", "key": endpointID, "config": map[string]any{},
			"meta": map[string]any{"label": "Endpoint"}, "outputIds": []any{[]any{"reply"}}}},
		"nodes": []any{map[string]any{"id": "reply", "type": "EndpointReplyNode", "meta": map[string]any{"label": "Reply"},
			"config": map[string]any{"replyType": "page", "responseCodeTemplate": "200", "bodyTemplateType": "path",
				"bodyTemplate": "data.params", "pageIdTemplate": pageID}}},
	}
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
