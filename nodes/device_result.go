package nodes

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// deviceShape says how the device nodes write a device onto the payload.
type deviceShape struct {
	connection, state, tagsAsObject, attributesAsObject bool
	attributes                                          []string // composite state attributes; nil: all
}

// deviceValue returns d as the device nodes write it: Losant's device
// document, with connectionInfo and compositeState as shape asks.
func deviceValue(ctx context.Context, env *engine.Env, d *weir.Device, shape deviceShape) (map[string]any, error) {
	tags := make([]any, 0, len(d.Tags))
	for _, t := range d.Tags {
		tags = append(tags, map[string]any{"key": t.Key, "value": t.Value})
	}
	attrs := make([]any, 0, len(d.Attributes))
	attrObj := make(map[string]any, len(d.Attributes))
	for _, a := range d.Attributes {
		m := map[string]any{"name": a.Name, "dataType": a.DataType}
		if a.ContentType != "" {
			m["contentType"] = a.ContentType
		}
		if a.Description != "" {
			m["description"] = a.Description
		}
		attrs = append(attrs, m)
		attrObj[a.Name] = m
	}
	v := map[string]any{
		"id": d.ID, "deviceId": d.ID, "applicationId": d.ApplicationID, "name": d.Name,
		"description": d.Description, "deviceClass": d.DeviceClass, "tags": tags, "attributes": attrs,
		"creationDate": d.CreationDate, "lastUpdated": d.LastUpdated,
	}
	if d.GatewayID != "" {
		v["gatewayId"] = d.GatewayID
	}
	if d.ParentID != "" {
		v["parentId"] = d.ParentID
		ancestors := make([]any, len(d.AncestorIDs))
		for i, id := range d.AncestorIDs {
			ancestors[i] = id
		}
		v["ancestorIds"] = ancestors
	}
	if shape.tagsAsObject {
		obj := map[string]any{}
		for k, vs := range d.TagsObject() {
			list := make([]any, len(vs))
			for i, s := range vs {
				list[i] = s
			}
			obj[k] = list
		}
		v["tags"] = obj
	}
	if shape.attributesAsObject {
		v["attributes"] = attrObj
	}
	if shape.connection {
		ci := map[string]any{"connected": nil}
		if c := d.Connection.Connected; c != nil {
			ci["connected"], ci["time"] = map[bool]float64{true: 1, false: 0}[*c], d.Connection.Time
		}
		v["connectionInfo"] = ci
	}
	if shape.state {
		cs, err := env.Devices.States.FindCompositeState(ctx, weir.StateFilter{ApplicationID: d.ApplicationID, DeviceID: d.ID})
		if err != nil {
			return nil, err
		}
		state := map[string]any{}
		for name, sv := range cs {
			if shape.attributes == nil || slices.Contains(shape.attributes, name) {
				state[name] = map[string]any{"value": sv.Value, "time": sv.Time}
			}
		}
		v["compositeState"] = state
	}
	return v, nil
}

// platformError is what a device node writes at its result path when the
// platform refuses: {"error": {"type", "message"}}, and the run goes on.
func platformError(err error) map[string]any {
	return map[string]any{"error": map[string]any{"type": string(weir.ErrorTypeOf(err)), "message": weir.ErrorMessage(err)}}
}

// needDevices fails a device node's run when the run cannot reach devices.
func needDevices(env *engine.Env) error {
	if env.Devices == nil || env.Devices.Devices == nil {
		return engine.Errorf("Error", "devices are not available to this run")
	}
	return nil
}

// tagTemplate is one {keyTemplate, valueTemplate} pair of a device node.
type tagTemplate struct {
	KeyTemplate   engine.Text `json:"keyTemplate"`
	ValueTemplate engine.Text `json:"valueTemplate"`
}

// compiledTag is a tagTemplate with its templates compiled.
type compiledTag struct{ key, value *template.Template }

func compileTags(field string, in []tagTemplate) ([]compiledTag, error) {
	out := make([]compiledTag, 0, len(in))
	for i, t := range in {
		k, err := engine.CompileTemplate(field+"["+strconv.Itoa(i)+"].keyTemplate", string(t.KeyTemplate))
		if err != nil {
			return nil, err
		}
		v, err := engine.CompileTemplate(field+"["+strconv.Itoa(i)+"].valueTemplate", string(t.ValueTemplate))
		if err != nil {
			return nil, err
		}
		out = append(out, compiledTag{k, v})
	}
	return out, nil
}

// renderTags renders tags against p; pairs rendering both sides empty are
// left out.
func renderTags(tags []compiledTag, p engine.Payload) ([]weir.TagFilter, error) {
	var out []weir.TagFilter
	for _, t := range tags {
		k, err := t.key.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "tag key: %v", err)
		}
		v, err := t.value.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "tag value: %v", err)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k != "" || v != "" {
			out = append(out, weir.TagFilter{Key: k, Value: v})
		}
	}
	return out, nil
}

// setResult writes v at the node's result path, when it has one.
func setResult(p engine.Payload, at path.Path, ok bool, v any) error {
	if !ok {
		return nil
	}
	if err := at.Set(p, v); err != nil {
		return engine.Errorf("Validation", "resultPath: %v", err)
	}
	return nil
}
