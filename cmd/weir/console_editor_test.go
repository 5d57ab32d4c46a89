package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// nodeSel selects the canvas node with this id.
func nodeSel(id string) string { return fmt.Sprintf(`.react-flow__node[data-id=%q]`, id) }

// connect drags from output port of node from to the input of node to.
func connect(p *browserPage, from string, port int, to string) {
	p.t.Helper()
	x, y := p.center(nodeSel(to) + " .port-in")
	p.drag(fmt.Sprintf("%s .port-out.port-%d", nodeSel(from), port), x, y)
}

// addFromPalette drags a palette item onto the canvas at (x, y) from its
// top left corner, and returns the new node's canvas id.
func addFromPalette(p *browserPage, typ string, x, y float64) string {
	p.t.Helper()
	before := eval[[]string](p, `[...document.querySelectorAll('.react-flow__node')].map((n) => n.dataset.id)`)
	box := eval[[2]float64](p, `(() => { const r = document.querySelector('.canvas').getBoundingClientRect(); return [r.x, r.y]; })()`)
	p.fill("#palette-search", typ) // a person finds the node first; the palette is longer than the window
	p.drag(fmt.Sprintf(`.palette .item[data-type=%q]`, typ), box[0]+x, box[1]+y)
	p.waitFor(typ+" on the canvas", fmt.Sprintf(`document.querySelectorAll('.react-flow__node').length === %d`, len(before)+1))
	return eval[string](p, fmt.Sprintf(`[...document.querySelectorAll('.react-flow__node')].map((n) => n.dataset.id).find((id) => !%s.includes(id))`, mustJSON(before)))
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// selectNode clicks a node's label, which opens its config panel.
func selectNode(p *browserPage, id string) {
	p.t.Helper()
	// The canvas fits its view once it has measured the nodes, which a
	// loaded machine may do after the node is drawn: a click aimed before
	// that lands beside it.
	p.waitStill(nodeSel(id) + " .label")
	p.click(nodeSel(id) + " .label")
	p.waitFor("its config panel", fmt.Sprintf(`document.querySelector('.config')?.dataset.node === %s`, jsString(id)))
}

// TestConsoleBuildAndRun builds button → conditional → debug + store value
// by dragging from the palette and connecting ports, fills the config
// panels, saves, reloads, presses the button with a payload, and sees the
// debug message, the run's log entry and the storage value; then deletes,
// undoes and redoes, and meets a conflict.
func TestConsoleBuildAndRun(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	m, owner := openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": "Thermostat", "triggers": []any{}, "nodes": []any{}}, &flow)
	flowPath += "/" + flow.ID

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	editor := fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID)
	p.open(editor)
	p.waitFor("the editor", `document.querySelector('#flow-name')?.textContent === 'Thermostat'`)

	started := time.Now()
	button := addFromPalette(p, "virtualButton", 40, 40)
	cond := addFromPalette(p, "ConditionalNode", 280, 40)
	debug := addFromPalette(p, "DebugNode", 520, 30)
	store := addFromPalette(p, "StoreValueNode", 520, 200)
	p.waitFor("the mark of the empty required expression", fmt.Sprintf(`document.querySelector('%s .weir-node.invalid')`, nodeSel(cond)))
	connect(p, button, 0, cond)
	connect(p, cond, 1, debug) // true
	connect(p, cond, 1, store)
	p.waitFor("three wires", `document.querySelectorAll('.react-flow__edge').length === 3`)

	selectNode(p, cond)
	p.fill(`.config input[name="config.expression"]`, "{{data.temp}} > (30")
	p.waitFor("the server's mark on the broken expression", fmt.Sprintf(`document.querySelector('%s .weir-node')?.title.includes('Config: ')`, nodeSel(cond)))
	p.fill(`.config input[name="config.expression"]`, "{{data.temp}} > 30")
	selectNode(p, store)
	p.fill(`.config input[name="config.keyName"]`, "hot")
	p.choose(`.config select[name="config.valueType"]`, "incr")
	p.fill(`.config input[name="config.value"]`, "1")
	selectNode(p, debug)
	p.fill(`.config input[name="config.message"]`, "hot!")
	p.waitFor("no problems left", `!document.querySelector('.weir-node.invalid')`)
	if got := p.text("#dirty"); got != "● Unsaved changes" {
		t.Errorf("dirty indicator = %q before saving", got)
	}
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	t.Logf("built and saved the flow in the editor in %v", time.Since(started).Round(time.Millisecond))

	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Triggers) != 1 || len(saved.Nodes) != 3 {
		t.Fatalf("saved %d triggers and %d nodes, want 1 and 3", len(saved.Triggers), len(saved.Nodes))
	}
	key, _ := saved.Triggers[0]["key"].(string)
	if saved.Triggers[0]["type"] != "virtualButton" || key == "" || !jsonEqual(t, saved.Triggers[0]["outputIds"], [][]string{{cond}}) {
		t.Errorf("saved trigger = %v, want a keyed virtual button wired to %s", saved.Triggers[0], cond)
	}
	byID := map[string]map[string]any{}
	for _, n := range saved.Nodes {
		byID[n["id"].(string)] = n
	}
	if n := byID[cond]; n["type"] != "ConditionalNode" || !jsonEqual(t, n["outputIds"], [][]string{{}, {debug, store}}) ||
		!jsonEqual(t, n["config"], map[string]any{"expression": "{{data.temp}} > 30"}) {
		t.Errorf("saved conditional = %v", n)
	}
	if n := byID[store]; !jsonEqual(t, n["config"], map[string]any{"keyName": "hot", "valueType": "incr", "value": "1"}) {
		t.Errorf("saved store value config = %v", n["config"])
	}
	if meta, _ := byID[debug]["meta"].(map[string]any); meta["x"] == nil || meta["label"] != "Debug" {
		t.Errorf("saved debug meta = %v, want its position and label", meta)
	}

	// Reload: the same graph.
	p.open(editor)
	p.waitFor("the same graph", `document.querySelectorAll('.react-flow__node').length === 4 && document.querySelectorAll('.react-flow__edge').length === 3`)

	// Press with a payload: the debug message, the run log entry, the storage value.
	p.waitFor("the live debug stream", `document.querySelector('#stream-status')?.textContent === 'live'`)
	p.fill("#payload", `{"temp": 35}`)
	p.click("#press")
	p.waitFor("the debug message", `document.querySelector('#debug-panel .msg .text')?.textContent === 'hot!'`)
	if got := p.text("#debug-panel .msg"); !strings.Contains(got, "temp") || !strings.Contains(got, "35") || !strings.Contains(got, "Debug") {
		t.Errorf("debug message shows %q, want the node label and the payload", got)
	}
	if dir := os.Getenv("WEIR_CONSOLE_SCREENSHOT_DIR"); dir != "" {
		// go test ./cmd/weir -run TestConsoleBuildAndRun with this set
		// renews docs/console.png, the README's picture.
		selectNode(p, cond)
		shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil || os.WriteFile(dir+"/console.png", shot, 0o644) != nil {
			t.Errorf("screenshot: %v", err)
		}
	}
	p.click("#tab-runs")
	p.waitFor("the run in the log", `document.querySelector('#run-log tr.run.ok')`)
	if got := p.text("#debug-unseen"); got != "" {
		t.Errorf("unseen badge %q right after reading the message", got)
	}
	p.click("#tab-storage")
	p.waitFor("the stored value", `document.querySelector('#storage tr[data-key=hot] .value')?.textContent === '1'`)
	var storage map[string]any
	owner.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
	var logs []map[string]any
	owner.mustDo(200, "GET", flowPath+"/logs", nil, &logs)
	if storage["hot"] != 1.0 || len(logs) != 1 {
		t.Errorf("after one press storage = %v and %d log entries, want hot 1 and 1 entry", storage, len(logs))
	}

	// Set a key from the storage tab, then delete it.
	p.fill("#storage-key", "note")
	p.fill("#storage-value", `{"a": 1}`)
	p.click("#storage-set")
	p.waitFor("the new key", `document.querySelector('#storage tr[data-key=note]')`)
	owner.mustDo(200, "GET", flowPath+"/storage", nil, &storage)
	if !jsonEqual(t, storage["note"], map[string]any{"a": 1}) {
		t.Errorf("storage note = %v, want {a: 1}", storage["note"])
	}
	p.click("#storage tr[data-key=note] .delete-key")
	p.waitFor("the key gone", `!document.querySelector('#storage tr[data-key=note]')`)

	// Delete a node with the keyboard, undo, redo, undo.
	selectNode(p, debug)
	p.do("press Delete", chromedp.KeyEvent(kb.Delete))
	count := `document.querySelectorAll('.react-flow__node').length + '/' + document.querySelectorAll('.react-flow__edge').length`
	p.waitFor("the node and its wire gone", count+` === '3/2'`)
	p.click("#undo")
	p.waitFor("the node back", count+` === '4/3'`)
	p.click("#redo")
	p.waitFor("the node gone again", count+` === '3/2'`)
	p.click("#undo")
	p.waitFor("the node back again", count+` === '4/3'`)

	// Copy and paste a node with the keyboard, then undo the paste with Ctrl+Z.
	ctrl := chromedp.KeyModifiers(kb.ModifierCtrl)
	selectNode(p, store)
	p.do("copy", chromedp.KeyEvent("c", ctrl))
	p.do("paste", chromedp.KeyEvent("v", ctrl))
	p.waitFor("the pasted copy", count+` === '5/3' && document.querySelectorAll('.weir-node[data-type=StoreValueNode]').length === 2`)
	p.do("undo", chromedp.KeyEvent("z", ctrl))
	p.waitFor("the copy gone", count+` === '4/3'`)

	// Someone else changes the flow: Save warns, Overwrite saves.
	owner.mustDo(200, "PATCH", flowPath, map[string]any{"description": "changed elsewhere"}, nil)
	p.click("#save")
	p.waitFor("the conflict warning", `document.querySelector('#conflict')`)
	p.click("#overwrite")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Nodes) != 3 {
		t.Errorf("after overwrite %d nodes, want 3", len(saved.Nodes))
	}
	p.checkClean()
}

// TestConsoleRunErrorAndValidation presses a button whose path throws: the
// run log shows the failed run, and its error selects the failing node.
// Then an edit the server refuses shows its 400 on the node concerned.
func TestConsoleRunErrorAndValidation(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	m, owner := openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": "Fails", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "meta": map[string]any{"x": 40, "y": 40}, "outputIds": [][]string{{"thrower"}}}},
		"nodes": []any{
			map[string]any{"id": "thrower", "type": "ThrowErrorNode", "config": map[string]any{"messageTemplate": "too hot: {{data.temp}}"},
				"meta": map[string]any{"x": 300, "y": 40, "label": "Complain"}},
			map[string]any{"id": "other", "type": "DebugNode", "meta": map[string]any{"x": 300, "y": 200, "label": "Unwired"}},
		}}, &flow)

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID))
	p.waitFor("the flow", `document.querySelectorAll('.react-flow__node').length === 3`)
	p.fill("#payload", `{"temp": 41}`)
	p.click("#press")
	p.click("#tab-runs")
	p.waitFor("the failed run", `document.querySelector('#run-log tr.run.failed .run-error')?.textContent.includes('too hot: 41')`)
	p.click("#run-log tr.run.failed .run-error")
	p.waitFor("the failing node selected", `document.querySelector('.config')?.dataset.node === 'thrower'`)

	// A node whose type is emptied in the JSON tab: the server refuses the
	// save, and the node carries the server's message.
	p.click(".react-flow__controls-fitview")
	selectNode(p, "other")
	p.click("#raw-json-tab")
	raw := eval[string](p, `document.querySelector('#raw-json').value`)
	p.fill("#raw-json", strings.Replace(raw, `"type": "DebugNode"`, `"type": ""`, 1))
	p.click("#save")
	p.waitFor("the refusal", `document.querySelector('#editor-error')?.textContent.includes('flow.nodes.1.type')`)
	p.waitFor("the message on the node", fmt.Sprintf(`document.querySelector('%s .weir-node')?.title.includes('Server: flow.nodes.1.type')`, nodeSel("other")))
	if n := eval[int](p, `document.querySelectorAll('.weir-node.invalid').length`); n != 1 {
		t.Errorf("%d nodes marked, want only the refused one", n)
	}
	var saved flowDoc
	owner.mustDo(200, "GET", flowPath+"/"+flow.ID, nil, &saved)
	if saved.Nodes[1]["type"] != "DebugNode" {
		t.Errorf("the refused save changed the flow: %v", saved.Nodes[1])
	}

	// Leaving with unsaved changes asks first: staying keeps the editor.
	eval[bool](p, `(window.__asked = 0, window.confirm = () => (window.__asked++, false), true)`)
	p.click(".crumbs a[href$='" + app.ID + "']")
	if asked, name := eval[int](p, `window.__asked`), p.text("#flow-name"); asked != 1 || name != "Fails" {
		t.Errorf("leaving unsaved: asked %d times, page shows flow %q; want one question and the editor", asked, name)
	}
	eval[bool](p, `(window.confirm = () => (window.__asked++, true), true)`)
	p.click(".crumbs a[href$='" + app.ID + "']")
	p.waitFor("the flow list", `document.querySelector('#flows')`)
	p.checkClean()
}

// TestConsoleLargeFlow opens a 500-node flow, pans it by dragging the
// canvas, moves a node and saves, and reports the frame times seen while
// panning.
func TestConsoleLargeFlow(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Big"}, &app)
	const n = 500
	nodes := make([]any, n)
	for i := range n {
		next := [][]string{{}}
		if i+1 < n {
			next = [][]string{{fmt.Sprintf("n%03d", i+1)}}
		}
		nodes[i] = map[string]any{"id": fmt.Sprintf("n%03d", i), "type": "DebugNode", "outputIds": next,
			"config": map[string]any{"message": fmt.Sprintf("step %d", i)},
			"meta":   map[string]any{"x": 300 + (i%25)*240, "y": 40 + (i/25)*160, "label": fmt.Sprintf("Step %d", i)}}
	}
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": "Five hundred",
		"triggers": []any{map[string]any{"type": "virtualButton", "meta": map[string]any{"x": 40, "y": 40}, "outputIds": [][]string{{"n000"}}}},
		"nodes":    nodes}, &flow)
	flowPath += "/" + flow.ID

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	start := time.Now()
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID))
	p.waitFor("every node drawn", fmt.Sprintf(`document.querySelectorAll('.react-flow__node').length === %d && document.querySelectorAll('.react-flow__edge').length === %d`, n+1, n))
	opened := time.Since(start)

	// Zoom in a little, then pan by dragging an empty spot of the canvas.
	for range 4 {
		p.click(".react-flow__controls-zoomin")
	}
	empty := eval[[2]float64](p, `(() => {
		const r = document.querySelector('.react-flow__pane').getBoundingClientRect();
		for (let y = r.top + 20; y < r.bottom - 20; y += 7) for (let x = r.left + 60; x < r.right - 200; x += 7) {
			const e = document.elementFromPoint(x, y);
			if (e && e.classList.contains('react-flow__pane')) return [x, y];
		}
		return [0, 0];
	})()`)
	if empty[0] == 0 {
		t.Fatal("no empty spot on the canvas to drag")
	}
	before := eval[string](p, `document.querySelector('.react-flow__viewport').style.transform`)
	eval[bool](p, `(() => { window.__frames = []; let last = performance.now(); const tick = (t) => { __frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); }; requestAnimationFrame(tick); return true; })()`)
	p.do("pan", chromedp.DragAndDropXY(empty[0], empty[1], empty[0]-250, empty[1]-150, 30))
	frames := eval[[]float64](p, `(window.__stop = true, __frames.slice(1))`)
	if after := eval[string](p, `document.querySelector('.react-flow__viewport').style.transform`); after == before {
		t.Errorf("dragging the canvas did not pan it (transform %s)", after)
	}
	slices.Sort(frames)
	if len(frames) > 0 {
		t.Logf("500 nodes: opened in %v; %d frames while panning, median %.1f ms, p95 %.1f ms, max %.1f ms",
			opened.Round(time.Millisecond), len(frames), frames[len(frames)/2], frames[len(frames)*95/100], frames[len(frames)-1])
		// The frame times are the machine's as much as the console's (a
		// loaded CI machine drawing without a GPU took over 500 ms): they
		// are reported, not judged. What is judged is that the canvas pans
		// and that a node moved on it is saved.
	}

	// Move a node and save: the server has every node, the moved one elsewhere.
	moved := eval[string](p, `(() => {
		const r = document.querySelector('.react-flow__pane').getBoundingClientRect();
		const n = [...document.querySelectorAll('.react-flow__node')].find((e) => { const b = e.getBoundingClientRect(); return b.left > r.left + 20 && b.right < r.right - 200 && b.top > r.top + 20 && b.bottom < r.bottom - 120; });
		return n ? n.dataset.id : '';
	})()`)
	if moved == "" {
		t.Fatal("no node in view to move")
	}
	x, y := p.center(nodeSel(moved) + " .label")
	p.drag(nodeSel(moved)+" .label", x+40, y+60)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Nodes) != n {
		t.Fatalf("saved %d nodes, want %d", len(saved.Nodes), n)
	}
	for i, node := range saved.Nodes {
		meta := node["meta"].(map[string]any)
		wantX := float64(300 + (i%25)*240)
		if id := node["id"].(string); (id == moved) == (meta["x"] == wantX) {
			t.Errorf("node %s at x %v after moving %s (was %v)", id, meta["x"], moved, wantX)
		}
	}
	p.checkClean()
}

// TestConsoleGlobalsAndVersions adds a global that a Debug node's message
// renders, then creates a default version, presses (the version runs),
// opens it read-only, returns to develop and deletes it.
func TestConsoleGlobalsAndVersions(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": "Greeter",
		"triggers": []any{map[string]any{"type": "virtualButton", "meta": map[string]any{"x": 40, "y": 40}, "outputIds": [][]string{{"say"}}}},
		"nodes": []any{map[string]any{"id": "say", "type": "DebugNode", "config": map[string]any{"message": "{{globals.greeting}} world"},
			"meta": map[string]any{"x": 300, "y": 40, "label": "Say"}}}}, &flow)
	flowPath += "/" + flow.ID

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID))
	p.waitFor("the flow", `document.querySelectorAll('.react-flow__node').length === 2`)

	p.click("#tab-globals")
	p.click("#global-add")
	p.fill("#globals tr.global .global-key", "greeting")
	p.fill("#globals tr.global .global-json", `"hello"`)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var saved struct {
		Globals          []map[string]any
		DefaultVersionID *string
	}
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if !jsonEqual(t, saved.Globals, []map[string]any{{"key": "greeting", "json": `"hello"`}}) {
		t.Errorf("saved globals = %v", saved.Globals)
	}
	p.click("#tab-debug")
	p.waitFor("the live debug stream", `document.querySelector('#stream-status')?.textContent === 'live'`)
	p.click("#press")
	p.waitFor("the rendered global", `document.querySelector('#debug-panel .msg .text')?.textContent === 'hello world'`)

	// A default version: presses run it.
	p.click("#tab-versions")
	p.fill("#version-name", "v1")
	p.fill("#version-notes", "first")
	p.click("#version-default")
	p.click("#version-create")
	p.waitFor("v1 as the default", `document.querySelector('#default-version')?.textContent === 'v1' && document.querySelector('#versions tr[data-version=v1] .badge')`)
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	var versions struct {
		Items []struct{ ID, Version, Notes string }
	}
	owner.mustDo(200, "GET", flowPath+"/versions", nil, &versions)
	if len(versions.Items) != 1 || versions.Items[0].Notes != "first" || saved.DefaultVersionID == nil || *saved.DefaultVersionID != versions.Items[0].ID {
		t.Fatalf("versions %+v, default %v: want v1 with its notes as the default", versions.Items, saved.DefaultVersionID)
	}
	p.click("#tab-debug")
	p.click("#debug-clear")
	p.click("#tab-versions")
	p.click("#press")
	p.waitFor("the unseen message's badge", `document.querySelector('#debug-unseen')?.textContent === '1'`)
	p.click("#tab-debug")
	p.waitFor("v1's run", `document.querySelector('#debug-panel .msg .ver')?.textContent === 'v1'`)

	// Open it read-only, then go back to develop and delete it.
	p.click("#tab-versions")
	p.click("#versions tr[data-version=v1] .open-version")
	p.waitFor("the read-only graph", `document.querySelectorAll('#version-view .react-flow__node').length === 2 && document.querySelectorAll('#version-view .react-flow__edge').length === 1`)
	p.click("#version-close")
	p.click("#default-develop")
	p.waitFor("develop as the default", `document.querySelector('#default-version')?.textContent === 'develop'`)
	p.click("#versions tr[data-version=v1] .delete")
	p.click("#versions tr[data-version=v1] .confirm-delete")
	p.waitFor("v1 gone", `!document.querySelector('#versions tr[data-version=v1]')`)
	owner.mustDo(200, "GET", flowPath+"/versions", nil, &versions)
	saved.DefaultVersionID = nil // absent means develop
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(versions.Items) != 0 || saved.DefaultVersionID != nil {
		t.Errorf("after deleting v1: versions %+v, default %v", versions.Items, saved.DefaultVersionID)
	}
	p.checkClean()
}
