package nodes

import (
	"context"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var workflowTriggerPayloadTypes = []string{"json", "string", "path"}

func init() {
	engine.Register(engine.Spec{
		Type:     "WorkflowTriggerNode",
		Name:     "workflow-trigger",
		Category: "output",
		Summary: "Presses a virtual button of another flow of the application, fire-and-forget: the other " +
			"flow runs as if its button were pressed, with this node's payload as data.",
		Outputs: []string{"next"},
		Fields: []engine.Field{
			{Name: "behavior", Kind: "enum", Enum: []string{"immediate"}, Default: "immediate", Doc: "Only immediate presses are supported; schedule and cancel are not yet."},
			{Name: "triggerWorkflowId", Kind: "string", Required: true, Doc: "The id of the flow to run."},
			{Name: "triggerVirtualButtonId", Kind: "string", Required: true, Doc: "The key of a virtual button trigger of that flow."},
			{Name: "flowVersionTemplate", Kind: "template", Default: "default", Doc: "The version to run: default, develop, or a version name."},
			{Name: "payloadTemplateType", Kind: "enum", Enum: workflowTriggerPayloadTypes, Default: "json", Doc: "How payloadTemplate is read."},
			{Name: "payloadTemplate", Kind: "template", Doc: "The data of the new run; empty: the button's own default payload."},
			{Name: "resultPath", Kind: "path", Doc: "Receives {runId} of the started run (absent when the target flow is disabled)."},
		},
	}, buildWorkflowTrigger)
}

type workflowTrigger struct {
	flowID, key string
	version     *template.Template
	payloadType string
	payload     *template.Template
	payloadPath path.Path
	hasPayload  bool
	result      path.Path
	hasResult   bool
}

func buildWorkflowTrigger(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Behavior               string      `json:"behavior"`
		TriggerWorkflowID      string      `json:"triggerWorkflowId"`
		TriggerVirtualButtonID string      `json:"triggerVirtualButtonId"`
		FlowVersionTemplate    engine.Text `json:"flowVersionTemplate"`
		PayloadTemplateType    string      `json:"payloadTemplateType"`
		PayloadTemplate        engine.Text `json:"payloadTemplate"`
		ResultPath             string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.Behavior != "" && cfg.Behavior != "immediate" {
		return nil, engine.Errorf("Validation", "behavior %q is not supported yet", cfg.Behavior)
	}
	if cfg.TriggerWorkflowID == "" || cfg.TriggerVirtualButtonID == "" {
		return nil, engine.Errorf("Validation", "triggerWorkflowId and triggerVirtualButtonId are required")
	}
	n := &workflowTrigger{flowID: cfg.TriggerWorkflowID, key: cfg.TriggerVirtualButtonID, payloadType: cfg.PayloadTemplateType}
	if n.payloadType == "" {
		n.payloadType = "json"
	}
	if !slices.Contains(workflowTriggerPayloadTypes, n.payloadType) {
		return nil, engine.Errorf("Validation", "payloadTemplateType must be one of %v", workflowTriggerPayloadTypes)
	}
	var err error
	if n.version, err = engine.CompileTemplate("flowVersionTemplate", string(cfg.FlowVersionTemplate)); err != nil {
		return nil, err
	}
	n.hasPayload = strings.TrimSpace(string(cfg.PayloadTemplate)) != ""
	switch {
	case !n.hasPayload:
	case n.payloadType == "path":
		n.payloadPath, _, err = engine.CompilePath("payloadTemplate", string(cfg.PayloadTemplate), true)
	default:
		n.payload, err = engine.CompileTemplate("payloadTemplate", string(cfg.PayloadTemplate))
	}
	if err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec presses the target button and continues without waiting for its run.
func (n *workflowTrigger) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if env.Press == nil {
		return 0, engine.Errorf("Error", "this run cannot start other flows")
	}
	version, err := n.version.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "flowVersionTemplate: %v", err)
	}
	if version = strings.TrimSpace(version); version == "default" {
		version = ""
	}
	data, err := n.data(p)
	if err != nil {
		return 0, err
	}
	run, err := env.Press(ctx, engine.Press{
		ApplicationID: env.ApplicationID, FlowID: n.flowID, Key: n.key, FlowVersion: version,
		Data: data, RelayType: "flow", RelayID: env.FlowID, Origin: env.Origin, Depth: env.Depth + 1,
	})
	if err != nil {
		return 0, err
	}
	if n.hasResult && run != nil {
		if err := n.result.Set(p, map[string]any{"runId": run.ID}); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
	}
	return 0, nil
}

// data is the new run's data as JSON; nil means the button's default.
func (n *workflowTrigger) data(p engine.Payload) ([]byte, error) {
	var v any
	switch {
	case !n.hasPayload:
		return nil, nil
	case n.payloadType == "path":
		v = n.payloadPath.Get(p)
	case n.payloadType == "string":
		s, err := n.payload.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "payloadTemplate: %v", err)
		}
		v = s
	default:
		parsed, err := n.payload.RenderJSON(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "payloadTemplate: %v", err)
		}
		v = parsed
	}
	if b := engine.EncodeValue(v); b != nil {
		return b, nil
	}
	return []byte("null"), nil
}
