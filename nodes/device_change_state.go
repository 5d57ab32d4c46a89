package nodes

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DeviceChangeStateNode",
		Name:     "device-state",
		Category: "output",
		Summary:  "Reports state for a device of the application, as if the device had sent it: stored, and the device triggers fire.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "deviceId", Kind: "template", Required: true, Doc: "The device: a template of its id, or a payload path holding it (deviceIdTemplateType)."},
			{Name: "deviceIdTemplateType", Kind: "enum", Enum: []string{"stringTemplate", "jsonPath"}, Default: "stringTemplate", Doc: "How deviceId is read."},
			{Name: "attrDataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the state comes from."},
			{Name: "attrInfos", Kind: "array", Doc: "individualFields: each {key, valueTemplate}, the attribute name and its value (converted to the attribute's type; blank values are left out)."},
			{Name: "attrJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: an attribute object, a {time, data} report, or an array of either."},
			{Name: "attrPayloadPath", Kind: "path", Doc: "payloadPath: where such a value is on the payload."},
			{Name: "timeSourceType", Kind: "enum", Enum: []string{"payloadTime", "now", "payloadPath"}, Default: "payloadTime", Doc: "The state's time: the payload's time, now, or the value at timeSourcePath; a report's own time wins."},
			{Name: "timeSourcePath", Kind: "path", Doc: "payloadPath: where the time is."},
			{Name: "metaTemplate", Kind: "template", Doc: "Ignored (state metadata is not kept)."},
			{Name: "metaTemplateType", Kind: "string", Doc: "Ignored."},
			{Name: "flowVersionTemplate", Kind: "template", Doc: "Ignored."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put {success: true}, or {error: {type, message}} when the device is not found or the state is malformed."},
		},
	}, buildDeviceChangeState)
}

type deviceChangeState struct {
	deviceTmpl *template.Template
	devicePath path.Path
	byPath     bool
	method     string
	attrs      []attrInfo
	json       *template.Template
	statePath  path.Path
	when       timeSource
	result     path.Path
	hasResult  bool
}

type attrInfo struct {
	name  string
	value *template.Template
}

func buildDeviceChangeState(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DeviceID             engine.Text `json:"deviceId"`
		DeviceIDTemplateType string      `json:"deviceIdTemplateType"`
		AttrDataMethod       string      `json:"attrDataMethod"`
		AttrInfos            []struct {
			Key           string      `json:"key"`
			ValueTemplate engine.Text `json:"valueTemplate"`
		} `json:"attrInfos"`
		AttrJSONTemplate engine.Text `json:"attrJsonTemplate"`
		AttrPayloadPath  string      `json:"attrPayloadPath"`
		TimeSourceType   string      `json:"timeSourceType"`
		TimeSourcePath   string      `json:"timeSourcePath"`
		ResultPath       string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &deviceChangeState{method: cfg.AttrDataMethod}
	var err error
	switch cfg.DeviceIDTemplateType {
	case "jsonPath":
		n.byPath = true
		n.devicePath, _, err = engine.CompilePath("deviceId", string(cfg.DeviceID), true)
	case "", "stringTemplate":
		if cfg.DeviceID == "" {
			return nil, engine.Errorf("Validation", "deviceId is required")
		}
		n.deviceTmpl, err = engine.CompileTemplate("deviceId", string(cfg.DeviceID))
	default:
		return nil, engine.Errorf("Validation", "deviceIdTemplateType must be stringTemplate or jsonPath")
	}
	if err != nil {
		return nil, err
	}
	switch n.method {
	case "", "individualFields":
		n.method = "individualFields"
		for i, a := range cfg.AttrInfos {
			t, err := engine.CompileTemplate("attrInfos["+strconv.Itoa(i)+"].valueTemplate", string(a.ValueTemplate))
			if err != nil {
				return nil, err
			}
			n.attrs = append(n.attrs, attrInfo{name: a.Key, value: t})
		}
	case "jsonTemplate":
		if n.json, err = engine.CompileTemplate("attrJsonTemplate", string(cfg.AttrJSONTemplate)); err != nil {
			return nil, err
		}
	case "payloadPath":
		if n.statePath, _, err = engine.CompilePath("attrPayloadPath", cfg.AttrPayloadPath, true); err != nil {
			return nil, err
		}
	default:
		return nil, engine.Errorf("Validation", "attrDataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	if n.when, err = compileTimeSource(cfg.TimeSourceType, cfg.TimeSourcePath, "payloadTime"); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec stores the state and fires the device triggers it matches.
func (n *deviceChangeState) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	deviceID, states, err := n.states(env, p)
	if err == nil {
		err = n.report(ctx, env, deviceID, states)
	}
	switch {
	case err == nil:
		return 0, setResult(p, n.result, n.hasResult, map[string]any{"success": true})
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, platformError(err))
}

func (n *deviceChangeState) report(ctx context.Context, env *engine.Env, deviceID string, states []weir.DeviceState) error {
	kept, d, err := env.Devices.States.AddDeviceStates(ctx, env.ApplicationID, deviceID, states)
	if err != nil {
		return err
	}
	if env.Devices.Events != nil && len(kept) > 0 {
		return env.Devices.Events.DeviceStates(ctx, d, kept)
	}
	return nil
}

// states reads the device id and the reports from the payload.
func (n *deviceChangeState) states(env *engine.Env, p engine.Payload) (string, []weir.DeviceState, error) {
	var id string
	if n.byPath {
		s, _ := n.devicePath.Get(p).(string)
		id = s
	} else {
		s, err := n.deviceTmpl.Render(p)
		if err != nil {
			return "", nil, weir.Errorf(weir.Validation, "deviceId: %v", err)
		}
		id = s
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		return "", nil, weir.Errorf(weir.Validation, "deviceId %q is not a device id", id)
	}
	at := n.time(env, p)
	var value any
	switch n.method {
	case "individualFields":
		data := map[string]any{}
		for _, a := range n.attrs {
			v, err := a.value.Render(p)
			if err != nil {
				return "", nil, weir.Errorf(weir.Validation, "attrInfos %s: %v", a.name, err)
			}
			if a.name != "" && v != "" {
				data[a.name] = v
			}
		}
		value = data
	case "jsonTemplate":
		v, err := n.json.RenderJSON(p)
		if err != nil {
			return "", nil, weir.Errorf(weir.Validation, "attrJsonTemplate: %v", err)
		}
		value = v
	default:
		value = engine.Clone(n.statePath.Get(p))
	}
	states, err := stateReports(value, at)
	return id, states, err
}

// time returns the time of reports that carry none.
func (n *deviceChangeState) time(env *engine.Env, p engine.Payload) time.Time {
	return n.when.time(env.Now(), p)
}

// toStateTime turns a payload time value into what ParseStateTime reads.
func toStateTime(v any) any {
	if t, ok := v.(time.Time); ok {
		return float64(t.UnixMilli())
	}
	return v
}

// stateReports reads an attribute object, a {time, data} report, or an
// array of either.
func stateReports(v any, at time.Time) ([]weir.DeviceState, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	out := make([]weir.DeviceState, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, weir.Errorf(weir.Validation, "state must be an object of attributes, a {time, data} report or an array of them")
		}
		st := weir.DeviceState{Time: at, Data: m}
		if data, ok := m["data"].(map[string]any); ok {
			st.Data = data
			if t, ok := m["time"]; ok {
				st.Time = weir.ParseStateTime(toStateTime(t), at)
			}
		}
		clean := make(map[string]any, len(st.Data))
		for k, v := range st.Data {
			switch v.(type) {
			case float64, string, bool:
				clean[k] = v
			}
		}
		st.Data = clean
		out = append(out, st)
	}
	return out, nil
}
