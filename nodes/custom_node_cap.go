package nodes

import (
	"context"
	"math"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CustomNodeCapNode",
		Name:     "custom-node-end-single",
		Category: "customNodeEnd",
		Summary: "Ends a custom node run: the first cap reached returns the value at resultSourcePath to the " +
			"calling node, which continues on the output branchIndexTemplate names (Output, Output True, Output False).",
		Fields: []engine.Field{
			{Name: "resultSourcePath", Kind: "path", Doc: "The value returned to the caller; empty: nothing."},
			{Name: "branchIndexTemplate", Kind: "template", Default: "0", Doc: "The caller's output: 0 (single or false output) or 1 (true output)."},
		},
	}, buildCustomNodeCap)
}

type customNodeCap struct {
	source    path.Path
	hasSource bool
	branch    *template.Template
}

func buildCustomNodeCap(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		ResultSourcePath    string      `json:"resultSourcePath"`
		BranchIndexTemplate engine.Text `json:"branchIndexTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &customNodeCap{}
	var err error
	if n.source, n.hasSource, err = engine.CompilePath("resultSourcePath", cfg.ResultSourcePath, false); err != nil {
		return nil, err
	}
	if n.branch, err = engine.CompileTemplate("branchIndexTemplate", string(cfg.BranchIndexTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec runs only when a cap is reached outside engine control; the path
// ends.
func (n *customNodeCap) Exec(context.Context, *engine.Env, engine.Payload) (int, error) {
	return engine.NoOutput, nil
}

// CapCall returns the caller's output port and, when resultSourcePath is
// set, the value there (possibly undefined).
func (n *customNodeCap) CapCall(p engine.Payload) (int, any, bool, error) {
	s, err := n.branch.Render(p)
	if err != nil {
		return 0, nil, false, engine.Errorf("Validation", "branchIndexTemplate: %v", err)
	}
	port := 0
	if s = strings.TrimSpace(s); s != "" {
		f := js.ToNumber(s)
		if f != 0 && f != 1 || math.IsNaN(f) {
			return 0, nil, false, engine.Errorf("Validation", "branchIndexTemplate must render 0 or 1, not %q", s)
		}
		port = int(f)
	}
	if !n.hasSource {
		return port, nil, false, nil
	}
	return port, engine.Clone(n.source.Get(p)), true, nil // undefined clears the caller's resultPath
}

var _ engine.CallCap = (*customNodeCap)(nil)
