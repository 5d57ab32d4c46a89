package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleChoicesAndPairs edits a template field that has usual values
// (the HTTP node's method) with a select, and as a template; and an array
// of tags that the spec names only in its doc with a key and a value per
// row; then saves and checks the flow through the API.
func TestConsoleChoicesAndPairs(t *testing.T) {
	t.Parallel()
	m, owner, flowPath := mustFlow(t, map[string]any{"name": "Fields",
		"triggers": []any{},
		"nodes": []any{
			map[string]any{"id": "http", "type": "HttpNode", "config": map[string]any{"uriTemplate": "http://127.0.0.1:9/x", "method": "GET"},
				"meta": map[string]any{"x": 40, "y": 60, "label": "Call"}},
			map[string]any{"id": "event", "type": "CreateEventNode", "config": map[string]any{"dataMethod": "individualFields", "subjectTemplate": "s"},
				"meta": map[string]any{"x": 340, "y": 60, "label": "Tell"}},
		}})
	p := openEditor(t, m, owner, flowPath)
	p.waitFor("the nodes", `document.querySelectorAll('.react-flow__node').length === 2`)

	selectNode(p, "http")
	method := `.config select[name="config.method"]`
	p.waitFor("the method's choices", `(() => { const s = document.querySelector('`+method+`'); return s?.value === 'GET' && [...s.options].map((o) => o.value).includes('OPTIONS'); })()`)
	if eval[bool](p, `!!document.querySelector('.config input[name="config.method"]')`) {
		t.Error("a listed method shows a text input too")
	}
	p.choose(method, "POST")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if got := saved.Nodes[0]["config"].(map[string]any)["method"]; got != "POST" {
		t.Errorf("saved method %v, want POST", got)
	}
	// Another value: a template, typed.
	p.choose(method, "*typed*")
	p.fill(`.config input[name="config.method"]`, "{{data.method}}")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if got := saved.Nodes[0]["config"].(map[string]any)["method"]; got != "{{data.method}}" {
		t.Errorf("saved method %v, want the template", got)
	}

	// Tags: a key and a value per row.
	selectNode(p, "event")
	p.waitFor("the tags", `document.querySelector('.config fieldset[data-field=eventTags]')`)
	p.click(".config fieldset[data-field=eventTags] .add-row")
	p.fill(`.config input[name="config.eventTags.0.keyTemplate"]`, "room")
	p.fill(`.config input[name="config.eventTags.0.valueTemplate"]`, "{{data.room}}")
	p.click(".config fieldset[data-field=eventTags] .add-row")
	p.fill(`.config input[name="config.eventTags.1.keyTemplate"]`, "floor")
	p.fill(`.config input[name="config.eventTags.1.valueTemplate"]`, "2")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	want := []map[string]any{{"keyTemplate": "room", "valueTemplate": "{{data.room}}"}, {"keyTemplate": "floor", "valueTemplate": "2"}}
	if got := saved.Nodes[1]["config"].(map[string]any)["eventTags"]; !jsonEqual(t, got, want) {
		t.Errorf("saved tags %v, want %v", got, want)
	}

	// Opened again, the template shows as typed.
	p.do("reload", chromedp.Reload())
	p.waitFor("the nodes", `document.querySelectorAll('.react-flow__node').length === 2`)
	selectNode(p, "http")
	p.waitFor("the typed method", `document.querySelector('.config input[name="config.method"]')?.value === '{{data.method}}' && document.querySelector('`+method+`').value === '*typed*'`)
	p.checkClean()
}
