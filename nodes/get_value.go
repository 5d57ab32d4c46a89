package nodes

import (
	"context"
	"slices"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var defaultValueTypes = []string{"json", "template", "string", "path"}

func init() {
	engine.Register(engine.Spec{
		Type:     "GetValueNode",
		Name:     "get-value",
		Category: "data",
		Summary:  "Reads one key, or all keys, of the flow's persistent storage onto the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "keyName", Kind: "template", Doc: "The storage key; ignored when getAll is set."},
			{Name: "valuePath", Kind: "path", Required: true, Doc: "Where to put the value."},
			{Name: "defaultValue", Kind: "template", Doc: "Used when the key does not exist, read as defaultValueType says; empty: nothing is written."},
			{Name: "defaultValueType", Kind: "enum", Enum: defaultValueTypes, Default: "template", Doc: "json (a JSON template), template or string (rendered text), or path (the value at a payload path)."},
			{Name: "getAll", Kind: "bool", Default: "false", Doc: "Put an object of every key and value at valuePath."},
		},
	}, buildGetValue)
}

type getValue struct {
	key        *template.Template
	valuePath  path.Path
	getAll     bool
	defType    string
	defValue   *template.Template
	defPath    path.Path
	hasDefault bool
}

func buildGetValue(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		KeyName          engine.Text `json:"keyName"`
		ValuePath        string      `json:"valuePath"`
		DefaultValue     engine.Text `json:"defaultValue"`
		DefaultValueType string      `json:"defaultValueType"`
		GetAll           bool        `json:"getAll"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &getValue{getAll: cfg.GetAll, defType: cfg.DefaultValueType}
	if n.defType == "" {
		n.defType = "template"
	}
	if !slices.Contains(defaultValueTypes, n.defType) {
		return nil, engine.Errorf("Validation", "defaultValueType must be one of %v", defaultValueTypes)
	}
	var err error
	if n.valuePath, _, err = engine.CompilePath("valuePath", cfg.ValuePath, true); err != nil {
		return nil, err
	}
	if n.getAll {
		return n, nil
	}
	if cfg.KeyName == "" {
		return nil, engine.Errorf("Validation", "Key name is required")
	}
	if n.key, err = engine.CompileTemplate("keyName", string(cfg.KeyName)); err != nil {
		return nil, err
	}
	n.hasDefault = cfg.DefaultValue != ""
	switch {
	case !n.hasDefault:
	case n.defType == "path":
		n.defPath, _, err = engine.CompilePath("defaultValue", string(cfg.DefaultValue), true)
	default:
		n.defValue, err = engine.CompileTemplate("defaultValue", string(cfg.DefaultValue))
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes the stored value (or the default) to valuePath and continues.
func (n *getValue) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	v, err := n.read(ctx, env, p)
	if err != nil {
		return 0, err
	}
	if _, undef := v.(js.Undefined); undef {
		return 0, nil
	}
	if err := n.valuePath.Set(p, v); err != nil {
		return 0, engine.Errorf("Validation", "valuePath: %v", err)
	}
	return 0, nil
}

// read returns the value to write, or js.Undefined for nothing.
func (n *getValue) read(ctx context.Context, env *engine.Env, p engine.Payload) (any, error) {
	if n.getAll {
		entries, err := env.Storage.StorageEntries(ctx, env.FlowID)
		if err != nil {
			return nil, err
		}
		all := make(map[string]any, len(entries))
		for k, raw := range entries {
			if all[k], err = engine.DecodeValue(raw); err != nil {
				return nil, err
			}
		}
		return all, nil
	}
	key, err := n.key.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "keyName: %v", err)
	}
	raw, ok, err := env.Storage.StorageEntry(ctx, env.FlowID, key)
	if err != nil {
		return nil, err
	}
	if ok {
		return engine.DecodeValue(raw)
	}
	return n.fallback(p)
}

// fallback evaluates the default value.
func (n *getValue) fallback(p engine.Payload) (any, error) {
	switch {
	case !n.hasDefault:
		return js.Undefined{}, nil
	case n.defType == "path":
		return engine.Clone(n.defPath.Get(p)), nil
	case n.defType == "json":
		v, err := n.defValue.RenderJSON(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "defaultValue: %v", err)
		}
		return v, nil
	}
	return n.defValue.Render(p)
}

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*getValue) Contained() {}
