package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "MathNode",
		Name:     "math",
		Category: "logic",
		Summary:  "Evaluates expressions in order and stores each result on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "statements", Kind: "array", Required: true,
				Doc: "Statements evaluated in order; each sees the results stored by the ones before it."},
			{Name: "statements[].expression", Kind: "expression", Required: true,
				Doc: "An expression in the Conditional node's language (operators, ceil, round, max, abs, % and ^ as power…); each {{…}} stands for a raw payload value. An expression that fails to evaluate halts the run."},
			{Name: "statements[].resultPath", Kind: "path", Required: true,
				Doc: "Where the result goes, as is: usually a number, but booleans and strings are possible. NaN and Infinity are kept and serialize as null."},
		},
	}, buildMath)
}

type mathStatement struct {
	expr   *expr.Expr
	result path.Path
}

type mathNode struct {
	statements []mathStatement
}

func buildMath(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Statements []struct {
			Expression engine.Text `json:"expression"`
			ResultPath string      `json:"resultPath"`
		} `json:"statements"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &mathNode{statements: make([]mathStatement, len(cfg.Statements))}
	for i, s := range cfg.Statements {
		if s.Expression == "" {
			return nil, engine.Errorf("Validation", "Statement %d: expression is required", i+1)
		}
		e, err := engine.CompileExpression("expression", string(s.Expression))
		if err != nil {
			return nil, err
		}
		rp, _, err := engine.CompilePath("resultPath", s.ResultPath, true)
		if err != nil {
			return nil, err
		}
		n.statements[i] = mathStatement{expr: e, result: rp}
	}
	return n, nil
}

// Exec evaluates each statement and stores its result before the next runs.
func (n *mathNode) Exec(ctx context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	for _, s := range n.statements {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		v, err := s.expr.Eval(p)
		if err != nil {
			return 0, engine.Errorf("Validation", "expression %q: %v", s.expr.String(), err)
		}
		if err := s.result.Set(p, engine.Clone(v)); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
	}
	return 0, nil
}

var _ engine.Node = (*mathNode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*mathNode) Contained() {}
