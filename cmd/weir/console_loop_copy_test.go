package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestConsoleCopyLoopWithBody copies a loop and pastes it: the copy comes
// with a copy of its body, which belongs to the new loop (its nodes, its
// cap and the loop's body output name it), and saves so.
func TestConsoleCopyLoopWithBody(t *testing.T) {
	t.Parallel()
	_, owner, flowPath, p := openLoopFlow(t)

	ctrl := chromedp.KeyModifiers(kb.ModifierCtrl)
	selectNode(p, "loop1")
	p.do("copy", chromedp.KeyEvent("c", ctrl))
	p.do("paste", chromedp.KeyEvent("v", ctrl))
	p.waitFor("the pasted loop, its body hidden", `document.querySelectorAll('.react-flow__node').length === 4 && document.querySelectorAll('.weir-node[data-type=LoopNode]').length === 2`)
	p.click("#save")
	p.waitFor("the save", `document.querySelector('#dirty').textContent === 'All changes saved'`)

	var saved flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &saved)
	if len(saved.Nodes) != 7 {
		t.Fatalf("saved %d nodes, want the 4 and a loop with its 2 body nodes: %v", len(saved.Nodes), saved.Nodes)
	}
	byType := map[string][]map[string]any{}
	for _, n := range saved.Nodes[4:] {
		byType[n["type"].(string)] = append(byType[n["type"].(string)], n)
	}
	if len(byType["LoopNode"]) != 1 || len(byType["DebugNode"]) != 1 || len(byType["LoopCapNode"]) != 1 {
		t.Fatalf("pasted nodes %v, want a loop, a debug and a cap", saved.Nodes[4:])
	}
	loop, body, cap := byType["LoopNode"][0], byType["DebugNode"][0], byType["LoopCapNode"][0]
	loopID, bodyID, capID := loop["id"].(string), body["id"].(string), cap["id"].(string)
	if loopID == "loop1" || bodyID == "body1" || capID == "cap1" {
		t.Errorf("pasted ids %s %s %s, want new ones", loopID, bodyID, capID)
	}
	if !jsonEqual(t, loop["outputIds"], [][]string{{}, {bodyID}}) {
		t.Errorf("pasted loop's outputs %v, want its body output wiring the pasted body", loop["outputIds"])
	}
	bodyMeta := body["meta"].(map[string]any)
	if bodyMeta["groupId"] != loopID || !jsonEqual(t, bodyMeta["extra"], map[string]any{"a": []int{1, 2}}) ||
		!jsonEqual(t, body["config"], map[string]any{"message": "item {{working.item.value}}", "futureOption": 3}) ||
		!jsonEqual(t, body["outputIds"], [][]string{{capID}}) {
		t.Errorf("pasted body node %v, want the copy, in the new loop, wired to the new cap", body)
	}
	if bodyMeta["x"] != 300.0 || bodyMeta["y"] != 60.0 {
		t.Errorf("pasted body node at %v,%v, want where the copied one is in its body (300,60)", bodyMeta["x"], bodyMeta["y"])
	}
	if cap["meta"].(map[string]any)["groupId"] != loopID || cap["config"].(map[string]any)["loopNodeId"] != loopID {
		t.Errorf("pasted cap %v, want it in and naming the new loop", cap)
	}

	// The copy's body opens as the original's does.
	p.do("double-click the copy", chromedp.DoubleClick(chromedp.CSS(nodeSel(loopID)+" .label"), chromedp.NodeVisible))
	p.waitFor("the copy's body", visibleNodes+` === '`+sortedJoin(bodyID, capID, "loop-start:"+loopID)+`'`)
	p.checkClean()
}

// openLoopFlow starts weir with loopFlow and opens it in the editor.
func openLoopFlow(t *testing.T) (m *Main, owner *client, flowPath string, p *browserPage) {
	t.Helper()
	var doc map[string]any
	mustUnmarshal(t, loopFlow, &doc)
	m, owner, flowPath = mustFlow(t, doc)
	p = openEditor(t, m, owner, flowPath)
	p.waitFor("the flow", visibleNodes+` === 'after,loop1,trigger-0'`)
	return m, owner, flowPath, p
}

// TestConsoleVersionDiffLoopBody compares versions that differ inside a
// loop's body: the loop is marked, and its body opens on the diff's
// canvas with the changed node marked.
func TestConsoleVersionDiffLoopBody(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	mustUnmarshal(t, loopFlow, &doc)
	m, owner, flowPath := mustFlow(t, doc)
	owner.mustDo(201, "POST", flowPath+"/versions", map[string]any{"version": "v1"}, nil)
	var cur flowDoc
	owner.mustDo(200, "GET", flowPath, nil, &cur)
	for _, n := range cur.Nodes {
		if n["id"] == "body1" {
			n["config"].(map[string]any)["message"] = "item changed"
		}
	}
	owner.mustDo(200, "PATCH", flowPath, map[string]any{"nodes": cur.Nodes}, nil)

	p := openEditor(t, m, owner, flowPath)
	p.click("#tab-versions")
	p.waitFor("the compare bar", `document.querySelector('#diff-from option[value=""]')`)
	p.click("#diff-open")
	p.waitFor("the diff", `document.querySelector('#diff-summary')?.textContent === '0 added, 0 removed, 1 changed, 0 moved, 0 globals changed'`)
	diffNodes := `[...document.querySelectorAll('#version-diff .react-flow__node')].map((n) => n.dataset.id).sort().join()`
	p.waitFor("the flow's canvas", diffNodes+` === 'after,loop1,trigger-0'`)
	if !eval[bool](p, `document.querySelector('#version-diff .react-flow__node[data-id=loop1]').classList.contains('diff-inside')`) {
		t.Error("the loop whose body changed is not marked")
	}
	p.do("double-click the loop", chromedp.DoubleClick(chromedp.CSS(`#version-diff `+nodeSel("loop1")+" .label"), chromedp.NodeVisible))
	p.waitFor("its body", diffNodes+` === 'body1,cap1,loop-start:loop1'`)
	if !eval[bool](p, `document.querySelector('#version-diff .react-flow__node[data-id=body1]').classList.contains('diff-changed')`) {
		t.Error("the changed body node is not marked")
	}
	if n := eval[int](p, `document.querySelectorAll('#version-diff .react-flow__edge').length`); n != 2 {
		t.Errorf("%d wires in the body, want start → body1 → cap1", n)
	}
	p.click("#version-diff #scope-up")
	p.waitFor("the flow again", diffNodes+` === 'after,loop1,trigger-0'`)
	p.checkClean()
}

// sortedJoin is what visibleNodes reads for ids.
func sortedJoin(ids ...string) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return strings.Join(s, ",")
}
