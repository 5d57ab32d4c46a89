package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// TriggerCustomNodeStart is the type, and the key, of the trigger that
// starts a custom node flow.
const TriggerCustomNodeStart = "customNodeStart"

// maxCallDepth bounds custom nodes calling custom nodes, so that a custom
// node calling itself fails instead of recursing without end.
const maxCallDepth = 8

// Call asks to run a custom node flow synchronously, as a step of the
// calling run.
type Call struct {
	FlowID  string
	Version string      // "default" or "" for the default version, "develop", or a version id or name
	Fields  []CallField // the caller's raw input values, read by the custom node's field types
	Caller  Payload     // the calling payload, against which templates and paths resolve
}

// CallField is one input value given by the caller.
type CallField struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// CallResult is how a custom node run ended: the first cap node reached
// decides the caller's output and result.
type CallResult struct {
	Returned bool // false when no cap node was reached
	Port     int
	Value    any
	HasValue bool
}

// CallCap is implemented by the node that ends a custom node run and names
// the caller's output port and the returned value.
type CallCap interface {
	Node
	CapCall(p Payload) (port int, value any, hasValue bool, err error)
}

type callDepthKey struct{}

// call runs a custom node flow for env's run and returns how it ended. A
// halting error inside the custom node is returned as the caller's error.
func (e *Executor) call(ctx context.Context, env *Env, c Call) (CallResult, error) {
	depth, _ := ctx.Value(callDepthKey{}).(int)
	if depth >= maxCallDepth {
		return CallResult{}, Errorf("RangeError", "custom nodes nested more than %d deep (does a custom node call itself?)", maxCallDepth)
	}
	flow, err := e.Flows.FindFlowByID(ctx, env.ApplicationID, c.FlowID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return CallResult{}, Errorf("NotFound", "custom node %s was not found", c.FlowID)
	} else if err != nil {
		return CallResult{}, err
	}
	name, versionID, def, err := e.callDefinition(ctx, flow, c.Version)
	if err != nil {
		return CallResult{}, err
	}
	g, err := e.cache.get(flow.ID, versionID, def)
	if err != nil {
		return CallResult{}, err
	}
	inputs, err := resolveInputs(def.CustomNodeConfig, c.Fields, c.Caller)
	if err != nil {
		return CallResult{}, err
	}
	app, err := e.Applications.FindApplicationByID(ctx, env.ApplicationID)
	if err != nil {
		return CallResult{}, err
	}
	p := Payload{
		"time": e.Now().UTC().Truncate(time.Millisecond), "data": inputs,
		"applicationId": env.ApplicationID, "applicationName": app.Name,
		"flowId": flow.ID, "flowName": flow.Name, "flowVersion": name,
		"triggerId": TriggerCustomNodeStart, "triggerType": TriggerCustomNodeStart,
		"relayId": env.FlowID, "relayType": "flow",
		"globals": weir.MergeGlobals(app.Globals, def.Globals),
	}
	inner := *env
	inner.FlowID, inner.FlowVersion, inner.FlowVersionID = flow.ID, name, versionID
	inner.Call = func(ctx context.Context, c Call) (CallResult, error) { return e.call(ctx, &inner, c) }
	res, err := g.Run(context.WithValue(ctx, callDepthKey{}, depth+1), &inner, TriggerCustomNodeStart, p)
	if err != nil {
		return CallResult{}, err
	}
	if len(res.Errors) > 0 {
		first := res.Errors[0].Error
		return CallResult{}, Errorf(first.Name, "custom node %s: %s", flow.Name, first.Message)
	}
	if res.Return == nil {
		return CallResult{}, nil
	}
	return *res.Return, nil
}

// callDefinition resolves the version a call names.
func (e *Executor) callDefinition(ctx context.Context, f *weir.Flow, version string) (name, id string, def *weir.Definition, err error) {
	v, err := ResolveVersion(ctx, e.Versions, f, version)
	if err != nil || !v.Enabled {
		return "", "", nil, Errorf("NotFound", "custom node %s has no runnable version %q", f.Name, version)
	}
	return v.Name, v.ID, v.Def, nil
}

// customNodeField is one input definition of a custom node.
type customNodeField struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	DefaultValue any    `json:"defaultValue"`
}

// resolveInputs builds the custom node run's data from the caller's values,
// read as each input's type says: stringTemplate and numberTemplate are
// rendered, jsonTemplate rendered and parsed, payloadPath read from the
// caller; select and checkbox values are taken as they are. An input the
// caller leaves empty takes its default value.
func resolveInputs(config json.RawMessage, given []CallField, caller Payload) (map[string]any, error) {
	var cfg struct {
		Fields []customNodeField `json:"fields"`
	}
	if len(config) > 0 {
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, Errorf("Validation", "customNodeConfig: %v", err)
		}
	}
	values := make(map[string]any, len(given))
	for _, f := range given {
		values[f.ID] = f.Value
	}
	out := map[string]any{}
	for _, f := range cfg.Fields {
		if f.Type == "section" || f.ID == "" {
			continue
		}
		raw, ok := values[f.ID]
		if s, isStr := raw.(string); !ok || raw == nil || isStr && s == "" {
			raw = f.DefaultValue
		}
		if raw == nil {
			continue
		}
		v, err := resolveInput(f, raw, caller)
		if err != nil {
			return nil, err
		}
		if _, undef := v.(js.Undefined); !undef {
			out[f.ID] = v
		}
	}
	return out, nil
}

// resolveInput reads one raw input value as its type says.
func resolveInput(f customNodeField, raw any, caller Payload) (any, error) {
	text, isText := raw.(string)
	if !isText {
		return raw, nil // select, checkbox and numbers given as values
	}
	switch f.Type {
	case "stringTemplate", "numberTemplate", "jsonTemplate":
		t, err := template.Parse(text)
		if err != nil {
			return nil, Errorf("Validation", "input %s: %v", f.ID, err)
		}
		switch f.Type {
		case "jsonTemplate":
			v, err := t.RenderJSON(caller)
			if err != nil {
				return nil, Errorf("Validation", "input %s: %v", f.ID, err)
			}
			return v, nil
		case "numberTemplate":
			s, err := t.Render(caller)
			if err != nil {
				return nil, Errorf("Validation", "input %s: %v", f.ID, err)
			}
			return js.ToNumber(s), nil
		}
		return t.Render(caller)
	case "payloadPath":
		p, err := path.Parse(text)
		if err != nil {
			return nil, Errorf("Validation", "input %s: %v", f.ID, err)
		}
		return Clone(p.Get(caller)), nil
	}
	return raw, nil
}
