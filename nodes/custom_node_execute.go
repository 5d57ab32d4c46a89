package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CustomNodeExecuteNode",
		Name:     "custom-node-execute-node",
		Category: "customNodeExecute",
		Summary: "Runs a custom node (a flow of class customNode) as one step: its inputs are read from this " +
			"payload, and the cap node its run reaches picks this node's output and returns its result.",
		Outputs: []string{"the custom node's only output, or its false output", "the custom node's true output"},
		Fields: []engine.Field{
			{Name: "customNodeId", Kind: "string", Required: true, Doc: "The id of the custom node flow."},
			{Name: "customNodeVersion", Kind: "string", Default: "default", Doc: "default, develop, or a version name."},
			{Name: "fields", Kind: "array", Doc: "fields[].id and fields[].value: the input values, read as the custom node's input types say (templates, JSON templates, payload paths, selects, checkboxes)."},
			{Name: "resultPath", Kind: "path", Doc: "Where the custom node's result goes; empty: nowhere."},
			{Name: "isInstance", Kind: "bool", Doc: "Accepted and ignored."},
		},
	}, buildCustomNodeExecute)
}

type customNodeExecute struct {
	flowID, version string
	fields          []engine.CallField
	result          path.Path
	hasResult       bool
}

func buildCustomNodeExecute(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		CustomNodeID      string             `json:"customNodeId"`
		CustomNodeVersion string             `json:"customNodeVersion"`
		Fields            []engine.CallField `json:"fields"`
		ResultPath        string             `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.CustomNodeID == "" {
		return nil, engine.Errorf("Validation", "customNodeId is required")
	}
	n := &customNodeExecute{flowID: cfg.CustomNodeID, version: cfg.CustomNodeVersion, fields: cfg.Fields}
	var err error
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec runs the custom node and continues on the output its cap picked; a
// custom node run that reaches no cap ends this path.
func (n *customNodeExecute) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if env.Call == nil {
		return 0, engine.Errorf("Error", "this run cannot call custom nodes")
	}
	res, err := env.Call(ctx, engine.Call{FlowID: n.flowID, Version: n.version, Fields: n.fields, Caller: p})
	if err != nil {
		return 0, err
	}
	if !res.Returned {
		return engine.NoOutput, nil
	}
	if n.hasResult && res.HasValue {
		if err := n.result.Set(p, res.Value); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
	}
	return res.Port, nil
}
