package nodes

import (
	"context"
	"slices"
	"sort"
	"strconv"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

const maxObjectOperations = 10

var (
	objectOperationTypes = []string{"assign", "mergeDeep", "omit", "pick", "zipObject", "entries", "fromPairs", "keys", "values"}
	// objectInputOperations take inputTemplate.
	objectInputOperations = []string{"assign", "mergeDeep", "omit", "pick", "zipObject"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ObjectNode",
		Name:     "object",
		Category: "logic",
		Summary:  "Applies up to 10 operations in order to a working copy of an object; operations change it or write a result to their outputPath.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "sourcePath", Kind: "path",
				Doc: "The object (or, for zipObject and fromPairs, the array). Missing or empty counts as {}."},
			{Name: "destPath", Kind: "path",
				Doc: "Where the working object goes after the operations. Empty: assign, mergeDeep, omit, pick and zipObject have no visible effect."},
			{Name: "operations", Kind: "array", Required: true, Doc: "Up to 10 operations, applied in order."},
			{Name: "operations[].type", Kind: "enum", Enum: objectOperationTypes, Required: true,
				Doc: "Changing the object: assign (shallow merge of the input object), mergeDeep (deep merge like lodash merge; the input wins, arrays merge by index), omit / pick (input: an array of top-level keys, or one key), zipObject (the working array holds the values, the input the keys). " +
					"Writing to outputPath: entries ([[key, value], …]), fromPairs (an object from the working array of pairs), keys, values. Keys come out in sorted order. A working value that is not an object counts as {} (arrays keep index keys for entries, keys and values)."},
			{Name: "operations[].inputTemplate", Kind: "jsonTemplate",
				Doc: "A single {{path}} yields the raw value; other text is rendered and must parse as JSON, or the run halts."},
			{Name: "operations[].outputPath", Kind: "path", Doc: "Where entries, fromPairs, keys and values write; optional."},
		},
	}, buildObject)
}

type objectOperation struct {
	typ    string
	input  *template.Template
	output path.Path
	hasOut bool
}

type objectNode struct {
	source, dest       path.Path
	hasSource, hasDest bool
	ops                []objectOperation
}

func buildObject(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SourcePath string `json:"sourcePath"`
		DestPath   string `json:"destPath"`
		Operations []struct {
			Type          string      `json:"type"`
			InputTemplate engine.Text `json:"inputTemplate"`
			OutputPath    string      `json:"outputPath"`
		} `json:"operations"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if len(cfg.Operations) > maxObjectOperations {
		return nil, engine.Errorf("Validation", "An object node may have at most %d operations", maxObjectOperations)
	}
	n := &objectNode{ops: make([]objectOperation, len(cfg.Operations))}
	var err error
	if n.source, n.hasSource, err = engine.CompilePath("sourcePath", cfg.SourcePath, false); err != nil {
		return nil, err
	}
	if n.dest, n.hasDest, err = engine.CompilePath("destPath", cfg.DestPath, false); err != nil {
		return nil, err
	}
	for i, oc := range cfg.Operations {
		op := objectOperation{typ: oc.Type}
		if !slices.Contains(objectOperationTypes, op.typ) {
			return nil, engine.Errorf("Validation", "operation type must be one of %v", objectOperationTypes)
		}
		if slices.Contains(objectInputOperations, op.typ) {
			if op.input, err = engine.CompileTemplate("inputTemplate", string(oc.InputTemplate)); err != nil {
				return nil, err
			}
		}
		if op.output, op.hasOut, err = engine.CompilePath("outputPath", oc.OutputPath, false); err != nil {
			return nil, err
		}
		n.ops[i] = op
	}
	return n, nil
}

// Exec runs the operations on a copy of the source and writes the results.
func (n *objectNode) Exec(ctx context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	var work any = map[string]any{}
	if n.hasSource {
		switch v := n.source.Get(p).(type) {
		case js.Undefined, nil:
		default:
			work = engine.Clone(v)
		}
	}
	for i := range n.ops {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		op := &n.ops[i]
		var in any
		if op.input != nil {
			v, err := evalValueTemplate(op.input, p, true)
			if err != nil {
				return 0, err
			}
			in = v
		}
		next, out, err := op.apply(work, in)
		if err != nil {
			return 0, err
		}
		if next != nil {
			work = next
		}
		if op.hasOut && out != nil {
			if err := op.output.Set(p, engine.Clone(out)); err != nil {
				return 0, engine.Errorf("Validation", "outputPath: %v", err)
			}
		}
	}
	if n.hasDest {
		if err := n.dest.Set(p, work); err != nil {
			return 0, engine.Errorf("Validation", "destPath: %v", err)
		}
	}
	return 0, nil
}

// apply runs one operation; it returns the new working value when the
// operation changes it, or the value for outputPath.
func (op *objectOperation) apply(work, in any) (next, out any, err error) {
	obj, _ := work.(map[string]any)
	if obj == nil {
		obj = map[string]any{}
	}
	switch op.typ {
	case "assign", "mergeDeep":
		src, ok := in.(map[string]any)
		switch {
		case !ok && (in == nil || in == js.Undefined{}):
			return obj, nil, nil
		case !ok:
			return nil, nil, engine.Errorf("TypeError", "%s input must be an object", op.typ)
		case op.typ == "assign":
			for k, v := range src {
				obj[k] = v
			}
			return obj, nil, nil
		}
		return objectMerge(obj, src), nil, nil
	case "omit", "pick":
		keys := objectKeyList(in)
		out := map[string]any{}
		for k, v := range obj {
			if slices.Contains(keys, k) == (op.typ == "pick") {
				out[k] = v
			}
		}
		return out, nil, nil
	case "zipObject":
		values, _ := work.([]any)
		out := map[string]any{}
		for i, k := range objectKeyList(in) {
			out[k] = js.Undefined{}
			if i < len(values) {
				out[k] = values[i]
			}
		}
		return out, nil, nil
	case "fromPairs":
		out := map[string]any{}
		pairs, _ := work.([]any)
		for _, pr := range pairs {
			if kv, ok := pr.([]any); ok && len(kv) > 0 {
				out[js.ToString(kv[0])] = objectAt(kv, 1)
			}
		}
		return nil, out, nil
	}
	keys, values := objectSorted(work)
	switch op.typ {
	case "keys":
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return nil, out, nil
	case "values":
		return nil, values, nil
	}
	out = make([]any, len(keys))
	for i, k := range keys {
		out.([]any)[i] = []any{k, values[i]}
	}
	return nil, out, nil
}

// objectMerge deep-merges src into dst like lodash merge: objects and arrays
// merge recursively (arrays by index), undefined source values are skipped.
func objectMerge(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if _, undef := sv.(js.Undefined); undef {
			continue
		}
		dst[k] = objectMergeValue(dst[k], sv)
	}
	return dst
}

func objectMergeValue(dv, sv any) any {
	switch s := sv.(type) {
	case map[string]any:
		d, ok := dv.(map[string]any)
		if !ok {
			d = map[string]any{}
		}
		return objectMerge(d, s)
	case []any:
		d, ok := dv.([]any)
		if !ok {
			d = nil
		}
		for i, e := range s {
			if i < len(d) {
				if _, undef := e.(js.Undefined); !undef {
					d[i] = objectMergeValue(d[i], e)
				}
				continue
			}
			d = append(d, objectMergeValue(nil, e))
		}
		if d == nil {
			d = []any{}
		}
		return d
	}
	return engine.Clone(sv)
}

// objectKeyList reads omit/pick/zipObject keys: an array of keys or one key.
func objectKeyList(in any) []string {
	switch v := in.(type) {
	case []any:
		keys := make([]string, len(v))
		for i, e := range v {
			keys[i] = js.ToString(e)
		}
		return keys
	case js.Undefined, nil:
		return nil
	}
	return []string{js.ToString(in)}
}

// objectSorted returns the keys, sorted, and matching values of an object,
// or the indexes and items of an array.
func objectSorted(v any) ([]string, []any) {
	switch c := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(c))
		for k, e := range c {
			if _, undef := e.(js.Undefined); !undef {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		values := make([]any, len(keys))
		for i, k := range keys {
			values[i] = c[k]
		}
		return keys, values
	case []any:
		keys := make([]string, len(c))
		for i := range c {
			keys[i] = strconv.Itoa(i)
		}
		return keys, slices.Clone(c)
	}
	return []string{}, []any{}
}

// objectAt returns a[i], or undefined when out of range.
func objectAt(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return js.Undefined{}
}

var _ engine.Node = (*objectNode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*objectNode) Contained() {}
