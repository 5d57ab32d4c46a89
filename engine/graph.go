package engine

import (
	"encoding/json"
	"sync/atomic"

	"github.com/weirhq/weir"
)

// Graph is a compiled flow definition: built nodes wired to each other. It is
// immutable and serves any number of concurrent runs.
type Graph struct {
	triggers map[string]*entry // by trigger key
	nodes    map[string]*vertex
	// contained reports that every node a trigger reaches is Contained,
	// so that its runs may execute before they are queued (QuickRuns).
	contained bool
	// quickAfter is when (Unix ns) QuickRuns tries its runs at once again
	// after one took longer than its budget.
	quickAfter atomic.Int64
}

// entry is a compiled trigger: the nodes it starts.
type entry struct {
	typ     string
	targets []*vertex
}

// vertex is a compiled node and its outputs.
type vertex struct {
	id, typ, label string
	node           Node
	err            error // why the node cannot run, reported when a run reaches it
	outputs        [][]*vertex
}

// Compile builds every node of def and wires them. A node whose type is not
// registered, or whose config does not build, still compiles: a run that
// reaches it fails with that reason, so that flows holding node types weir
// does not implement can be stored and exported unchanged. Output ids that
// name no node are ignored (definitions are validated when saved).
func Compile(def *weir.Definition) (*Graph, error) {
	g := &Graph{triggers: map[string]*entry{}, nodes: map[string]*vertex{}}
	for i := range def.Nodes {
		n := &def.Nodes[i]
		if n.ID == "" {
			continue
		}
		g.nodes[n.ID] = build(n)
	}
	for i := range def.Nodes {
		n := &def.Nodes[i]
		if v := g.nodes[n.ID]; v != nil {
			v.outputs = g.resolve(n.OutputIDs)
		}
	}
	for _, t := range def.Triggers {
		if t.Key == "" && t.Type == TriggerCustomNodeStart {
			t.Key = TriggerCustomNodeStart // exports often leave the literal key out
		}
		if t.Key == "" {
			continue
		}
		e := &entry{typ: t.Type}
		if outs := g.resolve(t.OutputIDs); len(outs) > 0 {
			e.targets = outs[0]
		}
		g.triggers[t.Key] = e
	}
	g.contained = g.reachesOnlyContained()
	return g, nil
}

// reachesOnlyContained reports whether every node reachable from a trigger
// built and is Contained; nodes no trigger reaches (notes on the canvas)
// do not count.
func (g *Graph) reachesOnlyContained() bool {
	seen := map[*vertex]bool{}
	var next []*vertex
	for _, e := range g.triggers {
		next = append(next, e.targets...)
	}
	for len(next) > 0 {
		v := next[len(next)-1]
		next = next[:len(next)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		if _, ok := v.node.(Contained); !ok || v.err != nil {
			return false
		}
		for _, out := range v.outputs {
			next = append(next, out...)
		}
	}
	return true
}

// resolve maps output ids to vertices.
func (g *Graph) resolve(outputIDs [][]string) [][]*vertex {
	outs := make([][]*vertex, len(outputIDs))
	for i, ids := range outputIDs {
		for _, id := range ids {
			if v := g.nodes[id]; v != nil {
				outs[i] = append(outs[i], v)
			}
		}
	}
	return outs
}

// build turns one node document into a vertex.
func build(n *weir.Node) *vertex {
	v := &vertex{id: n.ID, typ: n.Type, label: metaLabel(n.Meta)}
	_, buildFn, ok := Lookup(n.Type)
	if !ok {
		v.err = Errorf("UnsupportedNode", "node type %s is not supported by weir", n.Type)
		return v
	}
	node, err := buildFn(&NodeConfig{ID: n.ID, Type: n.Type, Label: v.label, Config: n.Config, Meta: n.Meta})
	if err != nil {
		v.err = err
		return v
	}
	v.node = node
	return v
}

// targets returns the vertices wired to port.
func (v *vertex) targets(port int) []*vertex {
	if port < 0 || port >= len(v.outputs) {
		return nil
	}
	return v.outputs[port]
}

// metaLabel returns meta.label of a node, or "".
func metaLabel(meta json.RawMessage) string {
	var m struct {
		Label string `json:"label"`
	}
	if len(meta) > 0 {
		_ = json.Unmarshal(meta, &m)
	}
	return m.Label
}
