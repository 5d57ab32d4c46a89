package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// loopFlow is a flow whose loop has a body of a debug node and a cap, with
// fields weir does not know on the body's debug node.
const loopFlow = `{
  "name": "Looper",
  "triggers": [{"type": "virtualButton", "config": {}, "meta": {"x": 40, "y": 60, "label": "Go"}, "outputIds": [["loop1"]]}],
  "nodes": [
    {"id": "loop1", "type": "LoopNode", "config": {"loopSourcePath": "data.items", "currentItemPath": "working.item"},
     "meta": {"x": 300, "y": 60, "label": "Each item"}, "outputIds": [["after"], ["body1"]]},
    {"id": "body1", "type": "DebugNode", "config": {"message": "item {{working.item.value}}", "futureOption": 3},
     "meta": {"x": 300, "y": 60, "label": "Show item", "groupId": "loop1", "extra": {"a": [1, 2]}}, "outputIds": [["cap1"]]},
    {"id": "cap1", "type": "LoopCapNode", "config": {"loopNodeId": "loop1", "shouldBreak": false},
     "meta": {"x": 560, "y": 60, "label": "Next", "groupId": "loop1"}, "outputIds": []},
    {"id": "after", "type": "DebugNode", "config": {"message": "done"}, "meta": {"x": 560, "y": 60, "label": "Done"}, "outputIds": [[]]}
  ]
}`

// visibleNodes is an expression for the ids of the canvas nodes shown, sorted.
const visibleNodes = `[...document.querySelectorAll('.react-flow__node')].map((n) => n.dataset.id).sort().join()`

// TestConsoleLoopBody opens a loop's body in its own view of the canvas,
// adds and wires nodes in it, saves, and checks through the API that the
// new nodes belong to the body, the loop's body output wires them, and
// the body's unknown fields survive; then goes back up to the flow.
func TestConsoleLoopBody(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	mustUnmarshal(t, loopFlow, &doc)
	m, owner, flowPath := mustFlow(t, doc)
	var before flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &before)
	p := openEditor(t, m, owner, flowPath)
	p.waitFor("the flow without the body", visibleNodes+` === 'after,loop1,trigger-0'`)
	p.waitFor("two wires", `document.querySelectorAll('.react-flow__edge').length === 2`)

	// Into the body: its nodes, a start node, and the wires from it.
	p.do("double-click the loop", chromedp.DoubleClick(chromedp.CSS(nodeSel("loop1")+" .label"), chromedp.NodeVisible))
	p.settle()
	p.waitFor("the body", visibleNodes+` === 'body1,cap1,loop-start:loop1'`)
	p.waitFor("the body's wires", `document.querySelectorAll('.react-flow__edge').length === 2`)
	if got := p.text("#scope-current"); got != "Body of Each item" {
		t.Errorf("scope bar says %q", got)
	}

	// A debug node and a cap added in the body, wired from the start.
	dbg := addFromPalette(p, "DebugNode", 300, 90)
	capID := addFromPalette(p, "LoopCapNode", 560, 90)
	p.click(".react-flow__controls-fitview") // the start node and the new ones in sight
	connect(p, "loop-start:loop1", 1, dbg)
	connect(p, dbg, 0, capID)
	p.waitFor("four wires", `document.querySelectorAll('.react-flow__edge').length === 4`)
	selectNode(p, dbg)
	p.fill(`.config input[name="config.message"]`, "again {{working.item.index}}")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)

	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	byID := map[string]map[string]any{}
	for _, n := range saved.Nodes {
		byID[n["id"].(string)] = n
	}
	if len(saved.Nodes) != 6 {
		t.Fatalf("saved %d nodes, want 6", len(saved.Nodes))
	}
	if got := byID["loop1"]["outputIds"]; !jsonEqual(t, got, [][]string{{"after"}, {"body1", dbg}}) {
		t.Errorf("loop outputIds %v, want the new node on the body output", got)
	}
	for _, id := range []string{dbg, capID} {
		if meta, _ := byID[id]["meta"].(map[string]any); meta["groupId"] != "loop1" {
			t.Errorf("new node %s meta %v, want groupId loop1", id, meta)
		}
	}
	if got := byID[capID]["config"]; !jsonEqual(t, got, map[string]any{"loopNodeId": "loop1", "shouldBreak": false}) {
		t.Errorf("new cap's config %v, want it to name its loop", got)
	}
	if got := byID[dbg]["outputIds"]; !jsonEqual(t, got, [][]string{{capID}}) {
		t.Errorf("new debug node outputIds %v", got)
	}
	for _, n := range before.Nodes { // the body's own nodes and the rest, field for field
		if n["id"] == "loop1" {
			continue // its body output gained the new node, checked above
		}
		if !jsonEqual(t, byID[n["id"].(string)], n) {
			t.Errorf("node %s changed: %v, was %v", n["id"], byID[n["id"].(string)], n)
		}
	}

	// Up to the flow again: the body is hidden, the flow's nodes are back.
	p.click("#scope-up")
	p.waitFor("the flow", visibleNodes+` === 'after,loop1,trigger-0'`)
	if n := eval[int](p, `document.querySelectorAll('#scope-bar').length`); n != 0 {
		t.Errorf("the scope bar is still shown at the flow")
	}
	// The body output cannot wire a node outside the body: the server would refuse it.
	connect(p, "loop1", 1, "after")
	p.waitFor("the refusal", `document.querySelector('#editor-error')?.textContent.includes("body output wires nodes of its body")`)
	if n := eval[int](p, `document.querySelectorAll('.react-flow__edge').length`); n != 2 {
		t.Errorf("%d wires after a refused one, want 2", n)
	}
	// The config panel opens the body too.
	selectNode(p, "loop1")
	if got := p.text("#open-body"); got != "Open the loop body (4 nodes)" {
		t.Errorf("open body button %q", got)
	}
	p.click("#open-body")
	p.waitFor("the body again", fmt.Sprintf(`document.querySelectorAll('.react-flow__node').length === 5 && document.querySelector('%s')`, nodeSel(capID)))
	p.checkClean()
}

// doubleNode is a custom node flow that returns its input n times two.
const doubleNode = `{"name": "Double", "flowClass": "customNode",
	  "customNodeConfig": {"outputCount": 1, "resultMode": "optional", "fields": [{"type": "jsonTemplate", "id": "n", "label": "Number"}]},
	  "triggers": [{"type": "customNodeStart", "config": {}, "meta": {"x": 40, "y": 60, "label": "Start"}, "outputIds": [["m"]]}],
	  "nodes": [
	    {"id": "m", "type": "MathNode", "config": {"statements": [{"expression": "{{data.n}} * 2", "resultPath": "working.r"}], "futureOption": true},
	     "meta": {"x": 300, "y": 60, "label": "Times two", "extra": "kept"}, "outputIds": [["cap"]]},
	    {"id": "cap", "type": "CustomNodeCapNode", "config": {"resultPath": "working.r", "outputIndex": 0}, "meta": {"x": 560, "y": 60, "label": "Return"}, "outputIds": []}
	  ]}`

// TestConsoleCustomNode opens, from a flow that runs a custom node, the
// custom node's flow in the editor, edits and saves it (its unknown fields
// survive), and goes back to the calling flow.
func TestConsoleCustomNode(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app, custom, caller struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowsPath := "/applications/" + app.ID + "/flows"
	var customDoc map[string]any
	mustUnmarshal(t, doubleNode, &customDoc)
	owner.mustDo(201, "POST", flowsPath, customDoc, &custom)
	owner.mustDo(201, "POST", flowsPath, map[string]any{"name": "Caller", "triggers": []any{}, "nodes": []any{
		map[string]any{"id": "run", "type": "CustomNodeExecuteNode", "config": map[string]any{"customNodeId": custom.ID, "resultPath": "data.r",
			"fields": []any{map[string]any{"id": "n", "value": "{{data.x}}"}}}, "meta": map[string]any{"x": 300, "y": 60, "label": "Double it"}},
	}}, &caller)
	var before flowDoc
	owner.mustDo(200, "GET", flowsPath+"/"+custom.ID, nil, &before)

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, caller.ID))
	p.waitFor("the caller", `document.querySelector('#flow-name')?.textContent === 'Caller'`)
	selectNode(p, "run")
	p.waitFor("the custom node picked by name", fmt.Sprintf(`(() => { const s = document.querySelector('.config select[name="config.customNodeId"]'); return s?.value === %q && s.selectedOptions[0].textContent === 'Double'; })()`, custom.ID))
	// Its inputs, by the custom node's labels.
	p.waitFor("the custom node's inputs", `document.querySelector('#custom-node-inputs input[name="input.n"]')?.value === '{{data.x}}' && document.querySelector('#custom-node-inputs .field-name')?.textContent.startsWith('Number')`)
	p.fill(`#custom-node-inputs input[name="input.n"]`, "{{data.y}}")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var callerDoc flowDoc
	owner.mustDo(200, "GET", flowsPath+"/"+caller.ID, nil, &callerDoc)
	if got := callerDoc.Nodes[0]["config"].(map[string]any)["fields"]; !jsonEqual(t, got, []map[string]any{{"id": "n", "value": "{{data.y}}"}}) {
		t.Errorf("caller's fields %v", got)
	}
	p.click("#open-custom-node")
	p.waitFor("the custom node's flow", `document.querySelector('#flow-name')?.textContent === 'Double' && document.querySelector('#back-to-caller')?.textContent === 'Caller'`)
	p.waitFor("its graph", `document.querySelectorAll('.react-flow__node').length === 3 && document.querySelectorAll('.react-flow__edge').length === 2`)

	selectNode(p, "m")
	p.fill(`.config input[name="meta.label"]`, "Times two, checked")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var saved flowDoc
	owner.mustDo(200, "GET", flowsPath+"/"+custom.ID, nil, &saved)
	if len(saved.Nodes) != 2 {
		t.Fatalf("saved %d nodes", len(saved.Nodes))
	}
	want := before.Nodes[0]
	want["meta"].(map[string]any)["label"] = "Times two, checked"
	if !jsonEqual(t, saved.Nodes[0], want) || !jsonEqual(t, saved.Nodes[1], before.Nodes[1]) || !jsonEqual(t, saved.Triggers, before.Triggers) {
		t.Errorf("saved custom node %v %v, want %v %v", saved.Triggers, saved.Nodes, before.Triggers, before.Nodes)
	}

	p.click("#back-to-caller")
	p.waitFor("the caller again", `document.querySelector('#flow-name')?.textContent === 'Caller' && !document.querySelector('#caller-bar')`)

	// The flow list shows one class of flows at a time: the custom node among custom nodes.
	p.click(`.crumbs a[href$="` + app.ID + `"]`)
	p.waitFor("the application flows", `[...document.querySelectorAll('#flows a.name')].map((a) => a.textContent).join() === 'Caller'`)
	p.choose("#flow-class", "customNode")
	p.waitFor("the custom nodes", `[...document.querySelectorAll('#flows a.name')].map((a) => a.textContent).join() === 'Double'`)
	p.checkClean()
}

// mustFlow starts weir and creates, through the API, an application and
// the flow doc in it; it returns the flow's path in the API.
func mustFlow(t *testing.T, doc any) (m *Main, owner *client, flowPath string) {
	t.Helper()
	m, owner = openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	owner.mustDo(201, "POST", "/applications/"+app.ID+"/flows", doc, &flow)
	return m, owner, "/applications/" + app.ID + "/flows/" + flow.ID
}

// openEditor signs in to the console in a new browser and opens the flow
// at flowPath (its path in the API) in the editor.
func openEditor(t *testing.T, m *Main, owner *client, flowPath string) *browserPage {
	t.Helper()
	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#%s", m.Addr(), flowPath))
	p.waitFor("the editor", `document.querySelector('#flow-name')`)
	return p
}

// TestConsoleDeleteWiredNodeAndLoop deletes a node a loop wires to, and
// saves: the loop no longer names it. Then deletes the loop: its body goes
// with it, and the saved flow is the button alone.
func TestConsoleDeleteWiredNodeAndLoop(t *testing.T) {
	t.Parallel()
	_, owner, flowPath, p := openLoopFlow(t)

	selectNode(p, "after")
	p.do("press Delete", chromedp.KeyEvent(kb.Delete))
	p.waitFor("after gone", visibleNodes+` === 'loop1,trigger-0'`)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Nodes) != 3 || !jsonEqual(t, saved.Nodes[0]["outputIds"], [][]string{{}, {"body1"}}) {
		t.Fatalf("saved nodes %v, want the loop, its body, and no wire to the deleted node", saved.Nodes)
	}

	selectNode(p, "loop1")
	p.click("#delete-node")
	p.waitFor("the loop gone", visibleNodes+` === 'trigger-0'`)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Nodes) != 0 || !jsonEqual(t, saved.Triggers[0]["outputIds"], [][]string{{}}) {
		t.Errorf("saved %v and trigger %v, want no nodes and an unwired button", saved.Nodes, saved.Triggers[0])
	}
	p.click("#undo")
	p.waitFor("the loop back", visibleNodes+` === 'loop1,trigger-0'`)
	p.do("double-click the loop", chromedp.DoubleClick(chromedp.CSS(nodeSel("loop1")+" .label"), chromedp.NodeVisible))
	p.waitFor("its body back", visibleNodes+` === 'body1,cap1,loop-start:loop1'`)
	p.checkClean()
}
