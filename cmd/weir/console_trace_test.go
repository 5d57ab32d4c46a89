package main

import (
	"fmt"
	"testing"
)

// traceLog is a log entry as the API answers it, with weir's trace.
type traceLog struct {
	PathsFailed int `json:"pathsFailed"`
	Trace       *struct {
		Trigger string `json:"trigger"`
		Steps   []struct {
			NodeID string  `json:"nodeId"`
			From   int     `json:"from"`
			Via    int     `json:"via"`
			Output int     `json:"output"`
			Time   float64 `json:"time"`
			Failed bool    `json:"failed"`
		} `json:"steps"`
	} `json:"trace"`
}

// TestConsoleRunPath presses a button with a payload and sees the run's path:
// live on the canvas as it happens, then, selected in the run log, drawn
// with per-node times; a failing run marks the node that failed.
func TestConsoleRunPath(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	owner, flowPath, p := openHotFlow(t, "Paths", map[string]any{"id": "thrower", "type": "ThrowErrorNode",
		"config": map[string]any{"messageTemplate": "too hot: {{data.temp}}"}, "meta": map[string]any{"x": 560, "y": 200, "label": "Complain"}})

	// A run that takes the false output: live, its edges light up.
	p.fill("#payload", `{"temp": 20}`)
	p.click("#press")
	p.waitFor("the live path", `document.querySelector('.react-flow__edge.live[data-id="cond:0:cool"]') &&
		document.querySelector('.react-flow__edge.live[data-id="trigger-0:0:cond"]')`)
	if n := eval[int](p, `document.querySelectorAll('.react-flow__edge.live').length`); n != 2 {
		t.Errorf("%d live edges, want the 2 of the run's path", n)
	}
	var logs []traceLog
	owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
	if len(logs) != 1 || logs[0].Trace == nil || len(logs[0].Trace.Steps) != 2 ||
		logs[0].Trace.Steps[0].NodeID != "cond" || logs[0].Trace.Steps[0].Output != 0 ||
		logs[0].Trace.Steps[1].NodeID != "cool" || logs[0].Trace.Steps[1].From != 0 {
		t.Fatalf("logged trace = %+v, want cond (output 0) then cool", logs)
	}

	// Selected in the run log, its path stays drawn, with times.
	p.click("#tab-runs")
	p.waitFor("the run", `document.querySelectorAll('#run-log tr.run.ok').length === 1`)
	p.click("#run-log tr.run.ok")
	p.waitFor("the path", `document.querySelectorAll('.weir-node.traced').length === 2`)
	for _, id := range []string{"cond", "cool"} {
		if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s .trace-time')?.textContent ?? ''`, nodeSel(id))); got == "" {
			t.Errorf("node %s shows no time", id)
		}
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('.react-flow__edge.traced')].map((e) => e.dataset.id).sort()`); fmt.Sprint(got) != "[cond:0:cool trigger-0:0:cond]" {
		t.Errorf("traced edges = %v, want trigger → cond → cool", got)
	}
	if p.text("#trace-bar") == "" {
		t.Error("no bar names the run shown")
	}

	// A run that fails: selecting it marks the failing node.
	p.fill("#payload", `{"temp": 41}`)
	p.click("#press")
	p.waitFor("the failed run", `document.querySelector('#run-log tr.run.failed')`)
	p.click("#run-log tr.run.failed")
	p.waitFor("the failing node", fmt.Sprintf(`document.querySelector('%s .weir-node.trace-failed')`, nodeSel("thrower")))
	if n := eval[int](p, `document.querySelectorAll('.weir-node.trace-failed').length`); n != 1 {
		t.Errorf("%d nodes marked failed, want 1", n)
	}
	if eval[bool](p, fmt.Sprintf(`!!document.querySelector('%s .weir-node.traced')`, nodeSel("cool"))) {
		t.Error("the node of the other run's path is still marked")
	}
	owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
	if len(logs) != 2 || logs[0].PathsFailed != 1 || len(logs[0].Trace.Steps) != 2 || !logs[0].Trace.Steps[1].Failed ||
		logs[0].Trace.Steps[1].NodeID != "thrower" || logs[0].Trace.Steps[1].Via != 1 {
		t.Fatalf("logged traces = %+v, want the newest failing at thrower, reached through output 1", logs)
	}
	p.click("#run-log tr.run.failed .run-error")
	p.waitFor("the failing node selected", `document.querySelector('.config')?.dataset.node === 'thrower'`)
	p.click("#trace-clear")
	p.waitFor("the path cleared", `!document.querySelector('.weir-node.traced') && !document.querySelector('#trace-bar')`)
	p.checkClean()
}
