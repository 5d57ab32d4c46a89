package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// replayLog is a log entry as the API answers it, with weir's runId,
// replayOf, kept payload and trace.
type replayLog struct {
	RunID    string `json:"runId"`
	ReplayOf string `json:"replayOf"`
	Payload  *struct {
		Kept     bool            `json:"kept"`
		Redacted []string        `json:"redacted"`
		Data     json.RawMessage `json:"data"`
	} `json:"payload"`
	Trace *struct {
		Steps []struct {
			NodeID string `json:"nodeId"`
			Output int    `json:"output"`
		} `json:"steps"`
	} `json:"trace"`
}

// path returns the nodes the entry's trace ran, in order.
func (l replayLog) path() []string {
	var out []string
	if l.Trace != nil {
		for _, s := range l.Trace.Steps {
			out = append(out, s.NodeID)
		}
	}
	return out
}

// TestConsoleReplay turns on the flow's Keep payloads setting, presses the
// button, changes the Conditional in the editor, replays the logged run and
// sees both paths compared: on the canvas and node by node.
func TestConsoleReplay(t *testing.T) {
	t.Parallel() // each has its own weir and browser
	owner, flowPath, p := openHotFlow(t, "Replays", map[string]any{"id": "hot", "type": "DebugNode",
		"config": map[string]any{"message": "too hot"}, "meta": map[string]any{"x": 560, "y": 200, "label": "Too hot"}})

	// The setting, off by default, is turned on in the toolbar.
	if eval[bool](p, `document.querySelector('#flow-keep-payloads').checked`) {
		t.Fatal("Keep payloads is on for a new flow")
	}
	p.click("#flow-keep-payloads")
	p.waitFor("the setting on", `document.querySelector('#flow-keep-payloads').checked`)
	var stored struct {
		Weir struct {
			KeepPayloads bool `json:"keepPayloads"`
		} `json:"weir"`
	}
	owner.mustDo(200, "GET", flowPath, nil, &stored)
	if !stored.Weir.KeepPayloads {
		t.Fatal("the server's flow does not keep payloads after the toggle")
	}

	// A run at 35 degrees is hot; its payload is kept, the token redacted.
	p.fill("#payload", `{"temp": 35, "token": "s3cret"}`)
	p.click("#press")
	p.click("#tab-runs")
	p.waitFor("the run, replayable", `document.querySelectorAll('#run-log tr.run .run-replay').length === 1`)
	var logs []replayLog
	owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
	if len(logs) != 1 || logs[0].Payload == nil || !logs[0].Payload.Kept || logs[0].Payload.Data != nil ||
		!slices.Equal(logs[0].path(), []string{"cond", "hot"}) || logs[0].RunID == "" {
		t.Fatalf("logged run = %+v, want the path to hot and a kept payload (its data not listed)", logs)
	}
	original := logs[0].RunID

	// The Conditional changes in the editor: 35 is no longer hot.
	selectNode(p, "cond")
	p.fill(`.config input[name="config.expression"]`, "{{data.temp}} > 40")
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)

	// Replayed, the run takes the other branch; both paths are shown.
	p.click("#run-log tr.run .run-replay")
	p.waitFor("the compare", `document.querySelector('#replay-table')`)
	p.waitFor("both paths on the canvas", fmt.Sprintf(`document.querySelector('%s .weir-node.traced') && document.querySelector('%s .weir-node.replayed')`,
		nodeSel("hot"), nodeSel("cool")))
	if got := eval[[]string](p, `[...document.querySelectorAll('.react-flow__edge.traced')].map((e) => e.dataset.id).sort()`); fmt.Sprint(got) != "[cond:1:hot trigger-0:0:cond]" {
		t.Errorf("the original's edges = %v, want trigger → cond → hot", got)
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('.react-flow__edge.replayed')].map((e) => e.dataset.id).sort()`); fmt.Sprint(got) != "[cond:0:cool trigger-0:0:cond]" {
		t.Errorf("the replay's edges = %v, want trigger → cond → cool", got)
	}
	if eval[bool](p, fmt.Sprintf(`!!document.querySelector('%s .weir-node.replayed')`, nodeSel("hot"))) {
		t.Error("the replay's path marks hot, which it did not reach")
	}
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s .replay-time')?.textContent ?? ''`, nodeSel("cool"))); !strings.HasPrefix(got, "replay: ") {
		t.Errorf("cool shows %q, want the replay's time", got)
	}
	rows := eval[[]string](p, `[...document.querySelectorAll('#replay-table tr.replay-row')].map((r) => r.dataset.node + (r.classList.contains('differs') ? ' differs' : ''))`)
	if fmt.Sprint(rows) != "[cond differs hot differs cool differs]" {
		t.Errorf("compare rows = %v, want cond (output 1 vs 0), hot (original only), cool (replay only), all differing", rows)
	}
	if got := eval[string](p, `document.querySelector('#replay-table tr[data-node="cond"] .after').textContent`); !strings.HasSuffix(got, "→ 0") {
		t.Errorf("the replay's cond cell = %q, want output 0", got)
	}
	if eval[bool](p, `!!document.querySelector('#replay-unsaved')`) {
		t.Error("the compare warns of unsaved changes after a save")
	}
	if got := p.text("#replay-summary"); !strings.Contains(got, "3 of 3 nodes differ") {
		t.Errorf("summary = %q", got)
	}
	p.waitFor("the kept payload", `document.querySelector('#replay-payload summary')?.textContent.includes('redacted: data.token')`)
	p.click("#replay-payload summary")
	if got := p.text("#replay-payload"); !strings.Contains(got, `"[redacted]"`) || strings.Contains(got, "s3cret") || !strings.Contains(got, "35") {
		t.Errorf("the payload shown = %q, want temp 35 and the token redacted", got)
	}

	// The server logged the replay as a replay of the run, on the flow as saved.
	logs = nil // decoding into old entries would keep their fields
	owner.mustDo(200, "GET", flowPath+"/logs?limit=5", nil, &logs)
	if len(logs) != 2 || logs[0].ReplayOf != original || !slices.Equal(logs[0].path(), []string{"cond", "cool"}) ||
		logs[1].RunID != original || logs[1].ReplayOf != "" {
		t.Fatalf("logs after the replay = %+v, want the replay of %s through cool, newest first", logs, original)
	}
	p.waitFor("the replay in the run log", `document.querySelector('#run-log tr.run .replay-of')`)
	p.click("#replay-close")
	p.waitFor("the compare closed", `!document.querySelector('#replay-compare') && !document.querySelector('.weir-node.replayed')`)
	p.checkClean()
}

// openHotFlow starts weir with an application and a flow name: a virtual
// button, a Conditional "Hot?" ({{data.temp}} > 30) leading to a Debug node
// cool (false) and hot, the node given, whose id is hot's own; and opens the
// flow in the console. It returns the owner's client, the flow's API path
// and the page.
func openHotFlow(t *testing.T, name string, hot map[string]any) (*client, string, *browserPage) {
	t.Helper()
	m, owner := openMain(t, DefaultConfig())
	var app, flow struct{ ID string }
	owner.mustDo(201, "POST", "/applications", map[string]any{"name": "Greenhouse"}, &app)
	flowPath := "/applications/" + app.ID + "/flows"
	owner.mustDo(201, "POST", flowPath, map[string]any{"name": name, "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "meta": map[string]any{"x": 40, "y": 40}, "outputIds": [][]string{{"cond"}}}},
		"nodes": []any{
			map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.temp}} > 30"},
				"meta": map[string]any{"x": 300, "y": 40, "label": "Hot?"}, "outputIds": [][]string{{"cool"}, {hot["id"].(string)}}},
			map[string]any{"id": "cool", "type": "DebugNode", "config": map[string]any{"message": "fine"},
				"meta": map[string]any{"x": 560, "y": 40, "label": "Fine"}},
			hot,
		}}, &flow)
	p := mustBrowser(t)
	p.open(consoleURL(m, owner.token))
	p.open(fmt.Sprintf("http://%s/console/#/applications/%s/flows/%s", m.Addr(), app.ID, flow.ID))
	p.waitFor("the flow", `document.querySelectorAll('.react-flow__node').length === 4`)
	return owner, flowPath + "/" + flow.ID, p
}
