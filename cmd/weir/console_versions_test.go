package main

import (
	"fmt"
	"testing"
	"time"
)

// TestConsoleVersionDiff compares a version with the saved develop version
// in the versions tab: the nodes added, removed, changed and moved, each
// changed field with its old and new value, the globals, and the canvas
// with the nodes marked.
func TestConsoleVersionDiff(t *testing.T) {
	t.Parallel()
	debug := func(id, message string, x int, out ...string) map[string]any {
		out = append([]string{}, out...) // [] for none, not null
		return map[string]any{"id": id, "type": "DebugNode", "config": map[string]any{"message": message},
			"meta": map[string]any{"x": x, "y": 60, "label": id}, "outputIds": []any{out}}
	}
	m, owner, flowPath := mustFlow(t, map[string]any{"name": "Thermostat",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "meta": map[string]any{"x": 40, "y": 60, "label": "Go"}, "outputIds": []any{[]string{"alpha"}}}},
		"nodes":    []any{debug("alpha", "one", 300, "beta"), debug("beta", "two", 560)},
	})
	owner.mustDo(201, "POST", flowPath+"/versions", map[string]any{"version": "v1"}, nil)
	var doc flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &doc)
	doc.Triggers[0]["meta"].(map[string]any)["x"] = 20 // moved
	owner.mustDo(200, "PATCH", flowPath, map[string]any{"triggers": doc.Triggers,
		"nodes":   []any{debug("alpha", "uno", 300, "gamma"), debug("gamma", "three", 560)},
		"globals": []any{map[string]any{"key": "limit", "json": "30"}},
	}, nil)

	p := openEditor(t, m, owner, flowPath)
	p.click("#tab-versions")
	p.waitFor("the compare bar", `document.querySelector('#diff-from option[value=""]')`)
	if got := eval[string](p, `document.querySelector('#diff-from').selectedOptions[0].textContent + ' → ' + document.querySelector('#diff-to').selectedOptions[0].textContent`); got != "v1 → develop (saved)" {
		t.Errorf("compare defaults %q, want the newest version with develop", got)
	}
	p.click("#diff-open")
	p.waitFor("the diff", `document.querySelector('#diff-summary')`)
	if got, want := p.text("#diff-summary"), "1 added, 1 removed, 1 changed, 1 moved, 1 globals changed"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	status := eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('#version-diff .diff-item[data-key]')].map((e) => [e.dataset.key, e.dataset.status]))`)
	if want := map[string]string{"gamma": "added", "beta": "removed", "alpha": "changed"}; status["gamma"] != want["gamma"] || status["beta"] != want["beta"] || status["alpha"] != want["alpha"] || len(status) != 4 {
		t.Errorf("items %v, want %v and the trigger moved", status, want)
	}
	fields := eval[[][3]string](p, `[...document.querySelectorAll('#version-diff .diff-item[data-key=alpha] tr')].map((r) => [...r.children].map((c) => c.textContent))`)
	if got, want := mustJSON(fields), `[["config.message","\"one\"","\"uno\""],["outputIds.0.0","\"beta\"","\"gamma\""]]`; got != want {
		t.Errorf("alpha's changes %s, want %s", got, want)
	}
	if got := p.text("#diff-globals tr"); got != "limit\t(none)\t30" {
		t.Errorf("globals row %q", got)
	}
	// The canvas: develop's nodes and the removed one, each marked.
	p.waitFor("the marked canvas", `document.querySelectorAll('#version-diff .react-flow__node').length === 4`)
	marks := eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('#version-diff .react-flow__node')].map((n) => [n.dataset.id, [...n.classList].find((c) => c.startsWith('diff-')) ?? '']))`)
	if got, want := mustJSON(marks), `{"alpha":"diff-changed","beta":"diff-removed","gamma":"diff-added","trigger-0":"diff-moved"}`; got != want {
		t.Errorf("canvas marks %s, want %s", got, want)
	}
	p.click("#diff-close")

	// A version compared with itself has no differences.
	p.choose("#diff-to", eval[string](p, `document.querySelector('#diff-from').value`))
	p.click("#diff-open")
	p.waitFor("no differences", `document.querySelector('#diff-summary')?.textContent === 'No differences.'`)
	p.click("#diff-close")

	// Unsaved changes compared with the saved flow, before saving them.
	selectNode(p, "gamma")
	p.fill(`.config input[name="config.message"]`, "tres")
	p.click("#tab-versions")
	p.waitFor("the unsaved choice", `document.querySelector('#diff-to option[value=unsaved]')`)
	p.choose("#diff-from", "")
	p.choose("#diff-to", "unsaved")
	p.click("#diff-open")
	p.waitFor("the unsaved change", `document.querySelector('#diff-summary')?.textContent === '0 added, 0 removed, 1 changed, 0 moved, 0 globals changed'`)
	if got := p.text("#version-diff .diff-item[data-key=gamma] tr"); got != "config.message\t\"three\"\t\"tres\"" {
		t.Errorf("unsaved change %q", got)
	}
	p.checkClean()
}

// TestConsoleFlowStats presses a flow's button through the API, once into
// a Throw Error node, and reads the runs and failed paths on the stats tab
// and its chart, as flow.stats answers them; a press from the editor shows
// up there too.
func TestConsoleFlowStats(t *testing.T) {
	t.Parallel()
	m, owner, flowPath := mustFlow(t, map[string]any{"name": "Thermostat",
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "meta": map[string]any{"x": 40, "y": 60}, "outputIds": []any{[]string{"cond"}}}},
		"nodes": []any{
			map[string]any{"id": "cond", "type": "ConditionalNode", "config": map[string]any{"expression": "{{data.fail}} === true"},
				"meta": map[string]any{"x": 300, "y": 60}, "outputIds": []any{[]string{"dbg"}, []string{"boom"}}},
			map[string]any{"id": "dbg", "type": "DebugNode", "config": map[string]any{"message": "fine"}, "meta": map[string]any{"x": 560, "y": 20}, "outputIds": []any{[]string{}}},
			map[string]any{"id": "boom", "type": "ThrowErrorNode", "config": map[string]any{"messageTemplate": "too hot"}, "meta": map[string]any{"x": 560, "y": 140}},
		}})
	var doc flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &doc)
	key := doc.Triggers[0]["key"]
	for _, fail := range []bool{false, true, false} {
		owner.mustDo(200, "POST", flowPath+"/virtualButton", map[string]any{"key": key, "payload": map[string]any{"fail": fail}}, nil)
	}
	type metric struct{ RunCount, PathsFailed, PathsCompleted int }
	var stats struct{ Metrics []metric }
	total := func() (runs, failed int) {
		owner.mustDo(200, "GET", flowPath+"/stats?duration=86400000&resolution=3600000", nil, &stats)
		for _, m := range stats.Metrics {
			runs, failed = runs+m.RunCount, failed+m.PathsFailed
		}
		return
	}
	waitFor(t, 10*time.Second, "three runs logged", func() bool { runs, _ := total(); return runs == 3 })
	if _, failed := total(); failed != 1 {
		t.Fatalf("flow.stats counts %d failed paths, want 1", failed)
	}

	p := openEditor(t, m, owner, flowPath)
	p.click("#tab-stats")
	p.waitFor("the totals", `document.querySelector('#stats-runs')?.textContent === '3' && document.querySelector('#stats-failed')?.textContent === '1'`)
	bars := func() []metric {
		return eval[[]metric](p, `[...document.querySelectorAll('#stats-chart .bucket')].map((g) => ({RunCount: +g.dataset.runs, PathsFailed: +g.dataset.failed}))`)
	}
	total()
	if got := bars(); len(got) != len(stats.Metrics) || got[len(got)-1].RunCount != stats.Metrics[len(stats.Metrics)-1].RunCount {
		t.Errorf("chart %v, want the buckets of flow.stats %v", got, stats.Metrics)
	}
	if n := eval[int](p, `document.querySelectorAll('#stats-chart rect.failed').length`); n != 1 {
		t.Errorf("%d red bars, want 1", n)
	}

	// A press from the editor: the tab counts it.
	p.fill("#payload", `{"fail": true}`)
	p.click("#press")
	p.waitFor("the fourth run", `document.querySelector('#stats-runs')?.textContent === '4' && document.querySelector('#stats-failed')?.textContent === '2'`)

	// By minute over the last hour: flow.stats's buckets, one bar each.
	p.choose("#stats-range", "1h")
	owner.mustDo(200, "GET", flowPath+"/stats?duration=3600000&resolution=60000", nil, &stats)
	p.waitFor("the buckets by minute", fmt.Sprintf(`document.querySelectorAll('#stats-chart .bucket').length === %d && document.querySelector('#stats-runs').textContent === '4'`, len(stats.Metrics)))
	p.checkClean()
}
