package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestConsoleCustomNodeRunPath presses a button whose run goes through a
// custom node, selects the run, and opens the custom node's flow from it:
// the custom node's canvas shows the steps the run took inside it.
func TestConsoleCustomNodeRunPath(t *testing.T) {
	t.Parallel()
	m, owner := openMain(t, DefaultConfig())
	var app, custom, caller struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowsPath := "/applications/" + app.ID + "/flows"
	var customDoc map[string]any
	mustUnmarshal(t, doubleNode, &customDoc)
	owner.mustDo(201, "POST", flowsPath, customDoc, &custom)
	owner.mustDo(201, "POST", flowsPath, map[string]any{"name": "Caller", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "meta": map[string]any{"x": 40, "y": 60}, "outputIds": [][]string{{"run"}}}},
		"nodes": []any{
			map[string]any{"id": "run", "type": "CustomNodeExecuteNode", "config": map[string]any{"customNodeId": custom.ID, "resultPath": "data.r",
				"fields": []any{map[string]any{"id": "n", "value": "{{data.x}}"}}}, "meta": map[string]any{"x": 300, "y": 60, "label": "Double it"}},
		}}, &caller)

	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, caller.ID))
	p.waitFor("the caller", `document.querySelector('#flow-name')?.textContent === 'Caller' && document.querySelectorAll('.react-flow__node').length === 2`)
	p.fill("#payload", `{"x": 21}`)
	p.click("#press")
	p.click("#tab-runs")
	p.waitFor("the run", `document.querySelectorAll('#run-log tr.run.ok').length === 1`)
	var logs []struct {
		Trace struct {
			Steps []struct {
				NodeID string `json:"nodeId"`
				Inner  *struct {
					Steps []struct {
						NodeID string `json:"nodeId"`
					} `json:"steps"`
				} `json:"inner"`
			} `json:"steps"`
		} `json:"trace"`
	}
	owner.mustDo(200, "GET", flowsPath+"/"+caller.ID+"/logs?limit=5", nil, &logs)
	if len(logs) != 1 || len(logs[0].Trace.Steps) != 1 || logs[0].Trace.Steps[0].Inner == nil || len(logs[0].Trace.Steps[0].Inner.Steps) != 2 {
		t.Fatalf("logged trace %+v, want the custom node's step holding its two inner steps", logs)
	}
	p.click("#run-log tr.run.ok")
	p.waitFor("the caller's path", fmt.Sprintf(`document.querySelector('%s .weir-node.traced')`, nodeSel("run")))

	// From the run's path, into the custom node: its own path is drawn.
	selectNode(p, "run")
	p.click("#open-custom-node")
	p.waitFor("the custom node's flow", `document.querySelector('#flow-name')?.textContent === 'Double' && document.querySelector('#back-to-caller')`)
	p.waitFor("the path inside", `document.querySelectorAll('.weir-node.traced').length === 2`)
	for _, id := range []string{"m", "cap"} {
		if !eval[bool](p, fmt.Sprintf(`!!document.querySelector('%s .weir-node.traced')`, nodeSel(id))) {
			t.Errorf("inner node %s is not marked", id)
		}
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('.react-flow__edge.traced')].map((e) => e.dataset.id).sort()`); fmt.Sprint(got) != "[m:0:cap trigger-0:0:m]" {
		t.Errorf("traced edges = %v, want start → m → cap", got)
	}
	if bar := p.text("#trace-bar"); !strings.Contains(bar, "inside this custom node") || !strings.Contains(bar, "2 steps") {
		t.Errorf("trace bar %q, want the path inside the custom node, 2 steps", bar)
	}
	p.click("#trace-clear")
	p.waitFor("the path cleared", `!document.querySelector('.weir-node.traced')`)

	// Opened otherwise (back and in again without a run picked), it shows no path.
	p.click("#back-to-caller")
	p.waitFor("the caller again", `document.querySelector('#flow-name')?.textContent === 'Caller'`)
	selectNode(p, "run")
	p.click("#open-custom-node")
	p.waitFor("the custom node's flow", `document.querySelector('#flow-name')?.textContent === 'Double'`)
	p.waitFor("its graph", `document.querySelectorAll('.react-flow__node').length === 3`)
	if eval[bool](p, `!!document.querySelector('.weir-node.traced') || !!document.querySelector('#trace-bar')`) {
		t.Error("the custom node shows a path though no run was picked")
	}

	// While it is open, the caller's runs light up their path inside it.
	var callerDoc struct{ Triggers []struct{ Key string } }
	owner.mustDo(200, "GET", flowsPath+"/"+caller.ID, nil, &callerDoc)
	owner.mustDo(200, "POST", flowsPath+"/"+caller.ID+"/virtualButton", map[string]any{"key": callerDoc.Triggers[0].Key, "payload": map[string]any{"x": 2}}, nil)
	p.waitFor("the live path inside", `document.querySelector('.react-flow__edge.live[data-id="trigger-0:0:m"]') && document.querySelector('.react-flow__edge.live[data-id="m:0:cap"]')`)
	p.checkClean()
}
