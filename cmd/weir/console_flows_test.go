package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weirhq/weir/flowfile"
)

// importFile is a Losant workflow export with a node type weir does not
// run, and fields weir does not know in node configs and metas.
const importFile = `{
  "name": "Imported",
  "description": "from Losant",
  "flowClass": "cloud",
  "globals": [],
  "triggers": [{"key": "abc123", "type": "virtualButton", "config": {}, "meta": {"x": 40, "y": 60, "label": "Go", "uiId": "u1"}, "outputIds": [["future1"]]}],
  "nodes": [
    {"id": "future1", "type": "SomeFutureNode", "config": {"speed": 11, "nested": {"a": [1, 2]}},
     "meta": {"x": 300, "y": 60, "label": "From the future", "category": "logic", "extra": true}, "outputIds": [["dbg"]]},
    {"id": "dbg", "type": "DebugNode", "config": {"message": "hi", "futureOption": 3},
     "meta": {"x": 560, "y": 60, "label": "Debug"}, "outputIds": [[]]}
  ]
}`

type flowDoc struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Enabled  bool             `json:"enabled"`
	Triggers []map[string]any `json:"triggers"`
	Nodes    []map[string]any `json:"nodes"`
}

// TestConsoleApplicationsAndFlows creates, renames, searches, enables,
// imports, exports and deletes applications and flows through the pages,
// checking the server's state through the API.
func TestConsoleApplicationsAndFlows(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	m, owner := openMain(t, DefaultConfig())
	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))

	p.fill("#new-app-name", "Greenhouse")
	p.fill("#new-app-description", "tomatoes")
	p.click("#create-app")
	p.waitFor("the new application's page", `document.querySelector('#app-name')?.textContent === 'Greenhouse'`)
	appID := eval[string](p, `location.hash.split('/')[2]`)
	var app struct{ Name, Description string }
	owner.mustDo(200, "GET", "/applications/"+appID, nil, &app)
	if app.Name != "Greenhouse" || app.Description != "tomatoes" {
		t.Fatalf("created application = %+v", app)
	}
	flowsPath := "/applications/" + appID + "/flows"

	// Create a flow: it opens in the editor; back to the list.
	p.fill("#new-flow-name", "Thermostat")
	p.click("#create-flow")
	p.waitFor("the editor", `document.querySelector('#flow-name')?.textContent === 'Thermostat'`)
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), appID))
	p.waitFor("the flow in the list", `document.querySelector('#flows a.name')?.textContent === 'Thermostat'`)

	// New flows start enabled: turn it off, then on again.
	var list struct{ Items []flowDoc }
	for _, want := range []bool{false, true} {
		p.click("#flows input.enabled")
		p.waitFor("the box set", fmt.Sprintf(`document.querySelector('#flows input.enabled').checked === %v`, want))
		waitFor(t, 10*time.Second, fmt.Sprintf("enabled to be %v", want), func() bool {
			owner.mustDo(200, "GET", flowsPath, nil, &list)
			return len(list.Items) == 1 && list.Items[0].Enabled == want
		})
	}
	p.click("#flows .rename")
	p.fill("#flows .rename-input", "Thermostat 2")
	p.click("#flows .inline button[type=submit]")
	waitFor(t, 5*time.Second, "the rename", func() bool {
		owner.mustDo(200, "GET", flowsPath, nil, &list)
		return list.Items[0].Name == "Thermostat 2"
	})

	// Import an export file through the file picker.
	file := t.TempDir() + "/imported.json"
	if err := os.WriteFile(file, []byte(importFile), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do("choose the export file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}))
	p.waitFor("the import notice", `document.querySelector('#notice')?.textContent.startsWith('Imported 1 flow')`)
	p.waitFor("two flows", `document.querySelectorAll('#flows tbody tr').length === 2`)

	// And by dropping one on the page.
	dropped := t.TempDir() + "/dropped.json"
	if err := os.WriteFile(dropped, []byte(strings.Replace(importFile, `"name": "Imported"`, `"name": "Dropped"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p.dropFiles("#flows", dropped)
	p.waitFor("three flows", `document.querySelectorAll('#flows tbody tr').length === 3 && [...document.querySelectorAll('#flows a.name')].some((a) => a.textContent === 'Dropped')`)

	// Export all: every flow in one file.
	p.click("#export-all")
	p.waitFor("the download", `window.__downloads.length === 1`)
	var all struct{ Flows []flowDoc }
	mustUnmarshal(t, eval[string](p, `window.__downloads[0]`), &all)
	if len(all.Flows) != 3 {
		t.Errorf("export all holds %d flows, want 3", len(all.Flows))
	}
	eval[bool](p, `(window.__downloads = [], true)`)

	// Search narrows the list.
	p.fill("#search", "impo")
	p.waitFor("one match", `document.querySelectorAll('#flows tbody tr').length === 1 && document.querySelector('#flows a.name').textContent === 'Imported'`)

	// Export the imported flow: the unknown type and fields come back as they went in.
	p.click("#flows .export")
	p.waitFor("the download", `window.__downloads.length === 1`)
	var exported, original flowDoc
	mustUnmarshal(t, eval[string](p, `window.__downloads[0]`), &exported)
	mustUnmarshal(t, importFile, &original)
	if exported.Name != "Imported" || !jsonEqual(t, exported.Nodes, original.Nodes) {
		t.Errorf("export nodes = %v, want the imported nodes %v", exported.Nodes, original.Nodes)
	}

	// Open it, save it unchanged: the server keeps every field.
	p.click("#flows a.name")
	p.waitFor("the unknown node, drawn as unknown", `document.querySelector('.weir-node.unknown[data-type=SomeFutureNode]')`)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty')?.textContent === 'All changes saved' && document.querySelector('#editor-status')?.textContent === 'Saved'`)
	var saved flowDoc
	owner.mustDo(200, "GET", flowsPath+"/"+exported.ID, nil, nil)
	owner.mustDo(200, "GET", flowsPath+"?perPage=100", nil, &list)
	for _, f := range list.Items {
		if f.Name == "Imported" {
			saved = f
		}
	}
	if !jsonEqual(t, saved.Nodes, original.Nodes) {
		t.Errorf("after a save from the console, nodes = %v, want %v", saved.Nodes, original.Nodes)
	}

	// Delete the flow and the application.
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), appID))
	p.fill("#search", "Imported")
	p.waitFor("the filtered list", `document.querySelectorAll('#flows tbody tr').length === 1`)
	p.click("#flows .delete")
	p.click("#flows .confirm-delete")
	waitFor(t, 5*time.Second, "the flow's deletion", func() bool {
		owner.mustDo(200, "GET", flowsPath, nil, &list)
		return len(list.Items) == 2
	})
	p.click(".crumbs a")
	p.click("#applications .delete")
	p.click("#applications .confirm-delete")
	waitFor(t, 5*time.Second, "the application's deletion", func() bool {
		return owner.do("GET", "/applications/"+appID, nil, nil) == 404
	})
	p.waitFor("the empty list", `document.querySelector('.empty')`)
	p.checkClean()
}

// TestConsoleImportTemplate imports a file of Losant's template library
// (YAML, with a node type weir does not run), opens it, saves it from the
// editor and exports it: the nodes stay as the file has them.
func TestConsoleImportTemplate(t *testing.T) {
	t.Parallel()
	template, err := filepath.Abs("../../flowfile/testdata/losant-library-templates/workflows/simulators/outdoor-asset-tracker/workflows/Route_Simulator.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	file, err := flowfile.Parse(data)
	if err != nil || len(file.Flows) != 1 {
		t.Fatalf("parse %s: %v", template, err)
	}
	m, owner := openMain(t, DefaultConfig())
	var app struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Library"}, &app)
	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), app.ID))
	p.do("choose the template", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{template}))
	p.waitFor("the import", `document.querySelector('#notice')?.textContent.startsWith('Imported 1 flow')`)
	p.click("#flows a.name")
	p.waitFor("the unknown node, drawn as unknown", `document.querySelector('.weir-node.unknown[data-type=HtmlParserNode]')`)
	// The flow's own nodes are drawn; a loop's body opens in its own view.
	bodies := map[string]int{}
	for _, n := range file.Flows[0].Nodes {
		var meta struct{ GroupID string }
		json.Unmarshal(n.Meta, &meta)
		if meta.GroupID != "" {
			bodies[meta.GroupID]++
		}
	}
	inBodies := 0
	for _, k := range bodies {
		inBodies += k
	}
	if n, want := eval[int](p, `document.querySelectorAll('.react-flow__node').length`), len(file.Flows[0].Nodes)+len(file.Flows[0].Triggers)-inBodies; n != want || len(bodies) != 1 {
		t.Errorf("%d nodes and triggers drawn, want %d outside the %d loop bodies", n, want, len(bodies))
	}
	for loop, k := range bodies {
		selectNode(p, loop)
		p.click("#open-body")
		p.waitFor("the loop body", fmt.Sprintf(`document.querySelectorAll('.react-flow__node').length === %d`, k+1)) // and its start
		p.click("#scope-flow")
	}
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#editor-status')?.textContent === 'Saved'`)
	p.click("#export")
	p.waitFor("the download", `window.__downloads.length === 1`)
	var exported flowDoc
	mustUnmarshal(t, eval[string](p, `window.__downloads[0]`), &exported)
	if !jsonEqual(t, exported.Nodes, file.Flows[0].Nodes) {
		t.Errorf("exported nodes differ from the template's (-want +got):\n%s", jsonDiff(t, file.Flows[0].Nodes, exported.Nodes))
	}
	p.checkClean()
}

// TestConsoleApplicationResources creates a webhook, an experience
// endpoint and an API token from an application's pages; the token shown
// works until it is turned inactive.
func TestConsoleApplicationResources(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	appPath := "/applications/" + app.ID
	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), app.ID))

	p.click("#apptab-webhooks")
	p.fill("#new-webhook-name", "Sensors")
	p.click("#create-webhook")
	p.waitFor("the webhook's URL", `document.querySelector('#webhooks .webhook-url')?.textContent.includes('/webhooks/')`)
	var hooks struct {
		Items []struct {
			ID, Name, Token string
			WaitForReply    bool
		}
	}
	owner.mustDo(200, "GET", appPath+"/webhooks", nil, &hooks)
	if len(hooks.Items) != 1 || hooks.Items[0].Name != "Sensors" || hooks.Items[0].WaitForReply ||
		!strings.HasSuffix(p.text("#webhooks .webhook-url"), "/webhooks/"+hooks.Items[0].Token) {
		t.Fatalf("webhooks %+v, shown URL %q", hooks.Items, p.text("#webhooks .webhook-url"))
	}
	hookURL := p.text("#webhooks .webhook-url")

	// A flow with a Webhook trigger, its webhook picked from a list, runs
	// when the webhook is called.
	var flow struct{ ID string }
	owner.mustDo(201, "POST", appPath+"/flows", map[string]any{"name": "Hooked", "triggers": []any{}, "nodes": []any{}}, &flow)
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID))
	p.waitFor("the editor", `document.querySelector('#flow-name')?.textContent === 'Hooked'`)
	trigger := addFromPalette(p, "webhook", 40, 40)
	p.waitFor("the webhook in the list", `[...document.querySelectorAll('.config select[name=key] option')].some((o) => o.textContent === 'Sensors')`)
	p.choose(".config select[name=key]", hooks.Items[0].ID)
	debug := addFromPalette(p, "DebugNode", 300, 40)
	connect(p, trigger, 0, debug)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	p.waitFor("the live debug stream", `document.querySelector('#stream-status')?.textContent === 'live'`)
	resp, err := http.Post(hookURL, "application/json", strings.NewReader(`{"reading": 17}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p.waitFor("the webhook's run", `document.querySelector('#debug-panel .msg')?.textContent.includes('reading: 17')`)
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s", m.Addr(), app.ID))

	p.click("#apptab-endpoints")
	p.choose("#new-endpoint-method", "post")
	p.fill("#new-endpoint-route", "/readings")
	p.click("#create-endpoint")
	p.waitFor("the endpoint", `document.querySelector('#endpoints tbody tr strong')?.textContent === 'POST /readings'`)
	var endpoints struct {
		Items []struct {
			Route, Method string
			Enabled       bool
		}
	}
	owner.mustDo(200, "GET", appPath+"/experience/endpoints", nil, &endpoints)
	if len(endpoints.Items) != 1 || endpoints.Items[0].Route != "/readings" || endpoints.Items[0].Method != "post" || !endpoints.Items[0].Enabled {
		t.Errorf("endpoints %+v", endpoints.Items)
	}

	p.click("#apptab-tokens")
	p.fill("#new-token-name", "device")
	p.fill("#new-token-days", "2")
	p.click("#create-token")
	p.waitFor("the new token", `document.querySelector('#created-token')?.value.split('.').length === 3`)
	tok := &client{t: t, base: owner.base, token: eval[string](p, `document.querySelector('#created-token').value`)}
	if link := p.text("#created-token-link"); link != consoleURL(m, tok.token) {
		t.Errorf("console link %q, want %q", link, consoleURL(m, tok.token))
	}
	tok.mustDo(200, "GET", appPath, nil, nil)
	p.click("#tokens tbody tr input.active")
	waitFor(t, 10*time.Second, "the token to stop working", func() bool { return tok.do("GET", appPath, nil, nil) == 401 })
	p.checkClean()
}
