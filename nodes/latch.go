package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/js"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "LatchNode",
		Name:     "latch",
		Category: "logic",
		Summary: "Takes the true output once when its latch expression becomes true, then not again until the " +
			"reset expression has been true; the latch is kept between runs (per node, or per rendered latch id).",
		Outputs: []string{"false: not newly latched", "true: newly latched by this run"},
		Fields: []engine.Field{
			{Name: "latchExpression", Kind: "expression", Required: true, Doc: "Latches when truthy and not latched yet."},
			{Name: "resetExpression", Kind: "expression", Required: true, Doc: "Unlatches when truthy and latched (checked when the latch does not fire)."},
			{Name: "latchIdTemplate", Kind: "template", Doc: "Separate latches per rendered id; empty: one latch for the node."},
			{Name: "latchResultPath", Kind: "path", Doc: "Receives the latch expression's truthiness."},
			{Name: "resetResultPath", Kind: "path", Doc: "Receives the reset expression's truthiness."},
			{Name: "wasLatchedPath", Kind: "path", Doc: "Receives whether the latch was set before this run."},
			{Name: "isLatchedPath", Kind: "path", Doc: "Receives whether the latch is set after this run."},
			{Name: "branchPath", Kind: "path", Doc: "Receives true when the node takes its true output."},
		},
	}, buildLatch)
}

type latch struct {
	latch, reset                                  *expr.Expr
	key                                           stateKey
	latchRes, resetRes, wasPath, isPath, branchTo optionalPath
}

func buildLatch(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		LatchExpression engine.Text `json:"latchExpression"`
		ResetExpression engine.Text `json:"resetExpression"`
		LatchIDTemplate engine.Text `json:"latchIdTemplate"`
		LatchResultPath string      `json:"latchResultPath"`
		ResetResultPath string      `json:"resetResultPath"`
		WasLatchedPath  string      `json:"wasLatchedPath"`
		IsLatchedPath   string      `json:"isLatchedPath"`
		BranchPath      string      `json:"branchPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.LatchExpression == "" || cfg.ResetExpression == "" {
		return nil, engine.Errorf("Validation", "latchExpression and resetExpression are required")
	}
	n := &latch{}
	var err error
	if n.latch, err = engine.CompileExpression("latchExpression", string(cfg.LatchExpression)); err != nil {
		return nil, err
	}
	if n.reset, err = engine.CompileExpression("resetExpression", string(cfg.ResetExpression)); err != nil {
		return nil, err
	}
	if n.key, err = newStateKey("latch", c.ID, "latchIdTemplate", cfg.LatchIDTemplate); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  *optionalPath
		name string
		src  string
	}{
		{&n.latchRes, "latchResultPath", cfg.LatchResultPath}, {&n.resetRes, "resetResultPath", cfg.ResetResultPath},
		{&n.wasPath, "wasLatchedPath", cfg.WasLatchedPath}, {&n.isPath, "isLatchedPath", cfg.IsLatchedPath},
		{&n.branchTo, "branchPath", cfg.BranchPath},
	} {
		if *f.dst, err = compileOptional(f.name, f.src); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec evaluates both expressions, updates the latch atomically and takes
// the true output only when this run latched it.
func (n *latch) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	latchV, err := n.latch.Eval(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "latchExpression: %v", err)
	}
	resetV, err := n.reset.Eval(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "resetExpression: %v", err)
	}
	key, err := n.key.render(p)
	if err != nil {
		return 0, err
	}
	doLatch, doReset := js.ToBoolean(latchV), js.ToBoolean(resetV)
	var was, is bool
	_, err = env.UpdateState(ctx, key, func(cur any) (any, error) {
		was = cur == true
		switch {
		case doLatch && !was:
			is = true
		case doReset && was:
			is = false
		default:
			is = was
		}
		if is {
			return true, nil
		}
		return js.Undefined{}, nil
	})
	if err != nil {
		return 0, err
	}
	fired := is && !was
	for _, w := range []struct {
		path optionalPath
		v    bool
	}{{n.latchRes, doLatch}, {n.resetRes, doReset}, {n.wasPath, was}, {n.isPath, is}, {n.branchTo, fired}} {
		if err := setOptional(p, w.path, w.v); err != nil {
			return 0, err
		}
	}
	if fired {
		return 1, nil
	}
	return 0, nil
}
