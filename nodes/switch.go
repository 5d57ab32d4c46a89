package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

// maxSwitchCases keeps a switch within Losant's 100 output ports (the
// default port plus one per case).
const maxSwitchCases = 99

func init() {
	engine.Register(engine.Spec{
		Type:     "SwitchNode",
		Name:     "switch",
		Category: "logic",
		Summary:  "Renders a template and continues on the output of the first case whose rendered template equals it, or on the default output.",
		Outputs: []string{
			"default: no case matched",
			"case 1: output i+1 is taken when cases[i] is the first case that matched",
		},
		Fields: []engine.Field{
			{Name: "switchTemplate", Kind: "template", Required: true,
				Doc: "The value to switch on, rendered to a string."},
			{Name: "cases", Kind: "array",
				Doc: "Up to 99 cases, tried in order; the first whose rendered caseTemplate is exactly equal to the rendered switchTemplate (case-sensitive, no trimming) wins."},
			{Name: "cases[].caseTemplate", Kind: "template",
				Doc: "The value this case matches, rendered to a string."},
			{Name: "cases[].caseLabel", Kind: "string", Doc: "A label for the editor; no effect."},
			{Name: "cases[].dontBreak", Kind: "bool", Default: "false",
				Doc: "Accepted and ignored: a node continues on one output, so a match never falls through to later cases (Losant's MCP docs say the flag has no runtime effect; exports only ever hold false)."},
		},
	}, buildSwitch)
}

type switchNode struct {
	value *template.Template
	cases []*template.Template
}

func buildSwitch(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SwitchTemplate engine.Text `json:"switchTemplate"`
		Cases          []struct {
			CaseTemplate engine.Text `json:"caseTemplate"`
			CaseLabel    engine.Text `json:"caseLabel"`
			DontBreak    bool        `json:"dontBreak"`
		} `json:"cases"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(cfg.SwitchTemplate)) == "" {
		return nil, engine.Errorf("Validation", "Switch template is required")
	}
	if len(cfg.Cases) > maxSwitchCases {
		return nil, engine.Errorf("Validation", "A switch may have at most %d cases", maxSwitchCases)
	}
	n := &switchNode{cases: make([]*template.Template, len(cfg.Cases))}
	var err error
	if n.value, err = engine.CompileTemplate("switchTemplate", string(cfg.SwitchTemplate)); err != nil {
		return nil, err
	}
	for i, cs := range cfg.Cases {
		if n.cases[i], err = engine.CompileTemplate("caseTemplate", string(cs.CaseTemplate)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec continues on output i+1 for the first matching case i, or on output 0.
func (n *switchNode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	v, err := n.value.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "switchTemplate: %v", err)
	}
	for i, t := range n.cases {
		c, err := t.Render(p)
		if err != nil {
			return 0, engine.Errorf("Validation", "caseTemplate %d: %v", i+1, err)
		}
		if c == v {
			return i + 1, nil
		}
	}
	return 0, nil
}

var _ engine.Node = (*switchNode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*switchNode) Contained() {}
