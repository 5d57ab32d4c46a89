package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/js"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ConditionalNode",
		Name:     "conditional",
		Category: "logic",
		Summary:  "Evaluates an expression and continues on the true or the false output.",
		Outputs:  []string{"false: the expression is falsy", "true: the expression is truthy"},
		Fields: []engine.Field{
			{Name: "expression", Kind: "expression", Required: true,
				Doc: "A JavaScript-like expression; each {{…}} in it stands for the raw payload value or helper result, never for code."},
		},
	}, buildConditional)
}

type conditional struct {
	expr *expr.Expr
}

func buildConditional(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Expression engine.Text `json:"expression"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.Expression == "" {
		return nil, engine.Errorf("Validation", "Expression is required")
	}
	e, err := engine.CompileExpression("expression", string(cfg.Expression))
	if err != nil {
		return nil, err
	}
	return &conditional{expr: e}, nil
}

// Exec takes output 1 when the expression is truthy and output 0 otherwise.
func (n *conditional) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	v, err := n.expr.Eval(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "expression %q: %v", n.expr.String(), err)
	}
	if js.ToBoolean(v) {
		return 1, nil
	}
	return 0, nil
}

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*conditional) Contained() {}
