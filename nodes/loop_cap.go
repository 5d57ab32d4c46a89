package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "LoopCapNode",
		Name:     "loop-next",
		Category: "loop",
		Summary: "Ends one iteration of a loop (Next/Return, or Break with shouldBreak): the first cap an " +
			"iteration reaches carries its payload on to the next iteration, or out of the loop.",
		Fields: []engine.Field{
			{Name: "loopNodeId", Kind: "string", Required: true, Doc: "The id of the loop this cap belongs to."},
			{Name: "shouldBreak", Kind: "bool", Default: "false", Doc: "End the loop after this iteration (the Break variant)."},
			{Name: "mapValuePath", Kind: "path", Doc: "Read this iteration's map value here instead of at the loop's mapValuePath."},
		},
	}, buildLoopCap)
}

type loopCap struct {
	brk      bool
	mapValue path.Path
	hasValue bool
}

func buildLoopCap(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		LoopNodeID   string `json:"loopNodeId"`
		ShouldBreak  bool   `json:"shouldBreak"`
		MapValuePath string `json:"mapValuePath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &loopCap{brk: cfg.ShouldBreak}
	var err error
	if n.mapValue, n.hasValue, err = engine.CompilePath("mapValuePath", cfg.MapValuePath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec runs only when the cap is reached outside any loop iteration: the
// path just ends.
func (n *loopCap) Exec(context.Context, *engine.Env, engine.Payload) (int, error) {
	return engine.NoOutput, nil
}

// CapLoop reports the break setting and the cap's own map value.
func (n *loopCap) CapLoop(p engine.Payload) (bool, any, bool) {
	if !n.hasValue {
		return n.brk, nil, false
	}
	return n.brk, engine.Clone(n.mapValue.Get(p)), true
}

var _ engine.LoopCap = (*loopCap)(nil)
