package nodes

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var storeValueTypes = []string{"path", "template", "string", "json", "number", "incr", "decr", "clear"}

func init() {
	engine.Register(engine.Spec{
		Type:     "StoreValueNode",
		Name:     "store-value",
		Category: "data",
		Summary:  "Sets, increments, decrements or clears one key of the flow's persistent storage.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "keyName", Kind: "template", Required: true, Doc: "The storage key (1–255 characters once rendered)."},
			{Name: "valueType", Kind: "enum", Enum: storeValueTypes, Default: "template",
				Doc: "How value is read: path (the value at a payload path), template or string (rendered text), json (a JSON template), number (rendered and cast), incr/decr (atomic add/subtract of the rendered amount, default 1), clear (remove the key)."},
			{Name: "value", Kind: "template", Doc: "A payload path, template or JSON template, as valueType says."},
			{Name: "valuePath", Kind: "path", Doc: "Accepted in place of value for valueType path."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put the result: the new number for incr/decr, the previous value for clear, the stored value otherwise."},
		},
	}, buildStoreValue)
}

type storeValue struct {
	key        *template.Template
	valueType  string
	value      *template.Template
	valuePath  path.Path
	resultPath path.Path
	hasResult  bool
}

func buildStoreValue(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		KeyName    engine.Text `json:"keyName"`
		ValueType  string      `json:"valueType"`
		Value      engine.Text `json:"value"`
		ValuePath  string      `json:"valuePath"`
		ResultPath string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &storeValue{valueType: cfg.ValueType}
	if n.valueType == "" {
		n.valueType = "template"
	}
	if !slices.Contains(storeValueTypes, n.valueType) {
		return nil, engine.Errorf("Validation", "valueType must be one of %v", storeValueTypes)
	}
	if strings.TrimSpace(string(cfg.KeyName)) == "" {
		return nil, engine.Errorf("Validation", "Key name is required")
	}
	var err error
	if n.key, err = engine.CompileTemplate("keyName", string(cfg.KeyName)); err != nil {
		return nil, err
	}
	if n.valueType == "path" {
		src := string(cfg.Value)
		if src == "" {
			src = cfg.ValuePath
		}
		if n.valuePath, _, err = engine.CompilePath("value", src, true); err != nil {
			return nil, err
		}
	} else if n.value, err = engine.CompileTemplate("value", string(cfg.Value)); err != nil {
		return nil, err
	}
	if n.resultPath, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec applies the configured change to storage and continues.
func (n *storeValue) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	key, err := n.key.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "keyName: %v", err)
	}
	if l := len([]rune(key)); l < 1 || l > weir.MaxStorageKeyLength {
		return 0, engine.Errorf("Validation", "Storage key must be between 1 and %d characters", weir.MaxStorageKeyLength)
	}
	result, err := n.apply(ctx, env, key, p)
	if err != nil {
		return 0, err
	}
	if n.hasResult {
		if err := n.resultPath.Set(p, result); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
	}
	return 0, nil
}

// apply performs the storage operation and returns the value for resultPath.
func (n *storeValue) apply(ctx context.Context, env *engine.Env, key string, p engine.Payload) (any, error) {
	switch n.valueType {
	case "clear":
		prev, err := env.Storage.DeleteStorageEntry(ctx, env.FlowID, key)
		if err != nil {
			return nil, err
		}
		return engine.DecodeValue(prev)
	case "incr", "decr":
		amount, err := n.amount(p)
		if err != nil {
			return nil, err
		}
		if n.valueType == "decr" {
			amount = -amount
		}
		v, err := env.Storage.IncrStorageEntry(ctx, env.FlowID, key, amount)
		if weir.ErrorTypeOf(err) == weir.Validation {
			return nil, engine.Errorf("TypeError", "storage value %q is not a number", key)
		}
		return v, err
	}
	v, err := n.newValue(p)
	if err != nil {
		return nil, err
	}
	if _, undef := v.(js.Undefined); undef {
		_, err := env.Storage.DeleteStorageEntry(ctx, env.FlowID, key)
		return v, err
	}
	data := engine.EncodeValue(v)
	if len(data) > weir.MaxStorageValueSize {
		return nil, engine.Errorf("Validation", "storage value for %q is %d bytes, over the %d byte limit", key, len(data), weir.MaxStorageValueSize)
	}
	return v, env.Storage.SetStorageEntry(ctx, env.FlowID, key, data)
}

// newValue computes the value to store for the set-style value types.
func (n *storeValue) newValue(p engine.Payload) (any, error) {
	switch n.valueType {
	case "path":
		return engine.Clone(n.valuePath.Get(p)), nil
	case "json":
		v, err := n.value.RenderJSON(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "value: %v", err)
		}
		return v, nil
	case "number":
		return n.amount(p)
	}
	s, err := n.value.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "value: %v", err)
	}
	return s, nil
}

// amount renders value and casts it to a number; an empty value counts as 1
// for incr/decr.
func (n *storeValue) amount(p engine.Payload) (float64, error) {
	s, err := n.value.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "value: %v", err)
	}
	if strings.TrimSpace(s) == "" && (n.valueType == "incr" || n.valueType == "decr") {
		return 1, nil
	}
	f := js.ToNumber(s)
	if math.IsNaN(f) || strings.TrimSpace(s) == "" {
		return 0, engine.Errorf("TypeError", "value %q is not a number", s)
	}
	return f, nil
}

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*storeValue) Contained() {}
