package nodes

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

const maxArrayRules = 15

var (
	arrayRuleTypes = []string{
		"compact", "concat", "deduplicate", "deduplicateBy", "filter", "flatten", "groupBy", "keyBy",
		"indexOf", "insertAt", "length", "lookupAt", "pop", "shift", "push", "unshift", "removeAt",
		"replaceAt", "reverse", "slice", "sort", "sortBy", "sum",
	}
	arraySortOrders = []string{"ascending", "descending"}
	// arrayValueRules take inputTemplate as a value template.
	arrayValueRules = []string{"concat", "indexOf", "insertAt", "push", "unshift", "replaceAt"}
	// arrayPropertyRules take inputTemplate as a property name.
	arrayPropertyRules = []string{"deduplicateBy", "groupBy", "keyBy", "sortBy"}
	// arrayIndexRules need indexTemplate.
	arrayIndexRules = []string{"insertAt", "lookupAt", "removeAt", "replaceAt"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ArrayNode",
		Name:     "array",
		Category: "logic",
		Summary:  "Applies up to 15 rules in order to a working copy of an array; rules change the array or write a result to their outputPath.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "sourceArrayPath", Kind: "path", Required: true,
				Doc: "The array. A missing value or any non-array counts as []; a string counts as its characters and is never overwritten."},
			{Name: "destArrayPath", Kind: "path",
				Doc: "Where the working array goes after the rules. Empty: it goes back to sourceArrayPath, but only when a rule changed it."},
			{Name: "rules", Kind: "array", Required: true, Doc: "Up to 15 rules, applied in order to the working array."},
			{Name: "rules[].type", Kind: "enum", Enum: arrayRuleTypes, Required: true,
				Doc: "Changing the array: compact (drop falsy items), concat (append the input's items, or the input), deduplicate (SameValueZero, like lodash uniq: equal objects are distinct), flatten (recursively), insertAt, pop, shift, push, unshift, removeAt, replaceAt, reverse, slice (start = inputTemplate, exclusive end = indexTemplate). " +
					"pop, shift, removeAt and replaceAt also write the removed or replaced item to outputPath. Writing only to outputPath: deduplicateBy, filter, groupBy, keyBy, indexOf (-1 when absent), length, lookupAt (undefined when out of range), sort, sortBy, sum (of the number items)."},
			{Name: "rules[].inputTemplate", Kind: "template",
				Doc: "concat, indexOf, insertAt, push, unshift, replaceAt: a value template, whose single {{path}} yields the raw value and any other text the parsed JSON, or the text when it is not JSON. " +
					"deduplicateBy, groupBy, keyBy, sortBy: a property name or path of the items; empty uses the item itself. filter: an expression with {{value}}, {{index}}, {{array}} and {{payload}}; items for which it is truthy are kept. slice: the start index."},
			{Name: "rules[].indexTemplate", Kind: "template",
				Doc: "insertAt, lookupAt, removeAt, replaceAt: the index, required, rendered and cast to an integer; negative counts from the end. slice: the end index, optional. removeAt and replaceAt out of range change nothing."},
			{Name: "rules[].order", Kind: "enum", Enum: arraySortOrders, Default: "ascending",
				Doc: "sort and sortBy: ascending puts numbers (and booleans, Dates) first in numeric order, then strings, then arrays and objects, then null, then undefined; descending is the exact reverse. The sort is stable. A bare {{array}} in a filter reads the bound array, not the array helper."},
			{Name: "rules[].outputPath", Kind: "path", Doc: "Where a rule's result goes; optional."},
		},
	}, buildArray)
}

type arrayRule struct {
	typ      string
	input    *template.Template
	property *path.Path // precompiled when inputTemplate is literal
	filter   *expr.Expr
	index    *template.Template
	desc     bool
	output   path.Path
	hasOut   bool
}

type arrayNode struct {
	source  path.Path
	dest    path.Path
	hasDest bool
	rules   []arrayRule
}

type arrayRuleConfig struct {
	Type          string      `json:"type"`
	InputTemplate engine.Text `json:"inputTemplate"`
	IndexTemplate engine.Text `json:"indexTemplate"`
	Order         string      `json:"order"`
	OutputPath    string      `json:"outputPath"`
}

func buildArray(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SourceArrayPath string            `json:"sourceArrayPath"`
		DestArrayPath   string            `json:"destArrayPath"`
		Rules           []arrayRuleConfig `json:"rules"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if len(cfg.Rules) > maxArrayRules {
		return nil, engine.Errorf("Validation", "An array node may have at most %d rules", maxArrayRules)
	}
	n := &arrayNode{rules: make([]arrayRule, len(cfg.Rules))}
	var err error
	if n.source, _, err = engine.CompilePath("sourceArrayPath", cfg.SourceArrayPath, true); err != nil {
		return nil, err
	}
	if n.dest, n.hasDest, err = engine.CompilePath("destArrayPath", cfg.DestArrayPath, false); err != nil {
		return nil, err
	}
	for i, rc := range cfg.Rules {
		if n.rules[i], err = buildArrayRule(rc); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// buildArrayRule validates and precompiles one rule.
func buildArrayRule(rc arrayRuleConfig) (arrayRule, error) {
	r := arrayRule{typ: rc.Type, desc: rc.Order == "descending"}
	if !slices.Contains(arrayRuleTypes, r.typ) {
		return r, engine.Errorf("Validation", "rule type must be one of %v", arrayRuleTypes)
	}
	if rc.Order != "" && !slices.Contains(arraySortOrders, rc.Order) {
		return r, engine.Errorf("Validation", "order must be one of %v", arraySortOrders)
	}
	var err error
	switch {
	case r.typ == "filter":
		if strings.TrimSpace(string(rc.InputTemplate)) == "" {
			return r, engine.Errorf("Validation", "filter needs an expression in inputTemplate")
		}
		r.filter, err = compileArrayFilter(string(rc.InputTemplate))
	case slices.Contains(arrayPropertyRules, r.typ):
		if r.input, err = engine.CompileTemplate("inputTemplate", string(rc.InputTemplate)); err == nil {
			if src, lit := r.input.Literal(); lit && strings.TrimSpace(src) != "" {
				p, _, perr := engine.CompilePath("inputTemplate", strings.TrimSpace(src), true)
				r.property, err = &p, perr
			}
		}
	case slices.Contains(arrayValueRules, r.typ) || r.typ == "slice":
		r.input, err = engine.CompileTemplate("inputTemplate", string(rc.InputTemplate))
	}
	if err != nil {
		return r, err
	}
	if slices.Contains(arrayIndexRules, r.typ) && strings.TrimSpace(string(rc.IndexTemplate)) == "" {
		return r, engine.Errorf("Validation", "%s needs indexTemplate", r.typ)
	}
	if slices.Contains(arrayIndexRules, r.typ) || r.typ == "slice" {
		if r.index, err = engine.CompileTemplate("indexTemplate", string(rc.IndexTemplate)); err != nil {
			return r, err
		}
	}
	r.output, r.hasOut, err = engine.CompilePath("outputPath", rc.OutputPath, false)
	return r, err
}

// Exec runs the rules on a copy of the source array and writes the results.
func (n *arrayNode) Exec(ctx context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	var arr []any
	src := n.source.Get(p)
	isString := false
	switch v := src.(type) {
	case []any:
		arr = engine.Clone(v).([]any)
	case string:
		isString = true
		for _, r := range v {
			arr = append(arr, string(r))
		}
	}
	if arr == nil {
		arr = []any{}
	}
	changed := false
	for i := range n.rules {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		r := &n.rules[i]
		next, out, err := r.apply(ctx, p, arr)
		if err != nil {
			return 0, err
		}
		if next != nil {
			arr, changed = next, true
		}
		if r.hasOut && out != nil {
			if err := r.output.Set(p, engine.Clone(out.v)); err != nil {
				return 0, engine.Errorf("Validation", "outputPath: %v", err)
			}
		}
	}
	dest := n.dest
	if !n.hasDest || dest.String() == n.source.String() {
		if isString || !changed {
			return 0, nil
		}
		dest = n.source
	}
	if err := dest.Set(p, arr); err != nil {
		return 0, engine.Errorf("Validation", "destArrayPath: %v", err)
	}
	return 0, nil
}

// arrayOut is a rule's value for outputPath (v may be js.Undefined).
type arrayOut struct{ v any }

// apply runs one rule. It returns the new working array when the rule
// changes it, and the value for outputPath when the rule has one.
func (r *arrayRule) apply(ctx context.Context, p engine.Payload, arr []any) ([]any, *arrayOut, error) {
	switch r.typ {
	case "compact":
		return slices.DeleteFunc(arr, func(v any) bool { return !js.ToBoolean(v) }), nil, nil
	case "deduplicate":
		return arrayUniq(arr, func(v any) any { return v }), nil, nil
	case "flatten":
		return arrayFlatten(arr, nil), nil, nil
	case "reverse":
		slices.Reverse(arr)
		return arr, nil, nil
	case "length":
		return nil, &arrayOut{float64(len(arr))}, nil
	case "sort":
		return nil, &arrayOut{arraySort(arr, func(v any) any { return v }, r.desc)}, nil
	case "sum":
		sum := 0.0
		for _, v := range arr {
			if f, ok := v.(float64); ok {
				sum += f
			}
		}
		return nil, &arrayOut{sum}, nil
	case "pop", "shift":
		if len(arr) == 0 {
			return arr, &arrayOut{js.Undefined{}}, nil
		}
		if r.typ == "pop" {
			return arr[:len(arr)-1], &arrayOut{arr[len(arr)-1]}, nil
		}
		return arr[1:], &arrayOut{arr[0]}, nil
	case "filter":
		return r.applyFilter(ctx, p, arr)
	case "slice":
		return r.applySlice(p, arr)
	}
	if slices.Contains(arrayPropertyRules, r.typ) {
		return r.applyByProperty(p, arr)
	}
	if slices.Contains(arrayIndexRules, r.typ) {
		return r.applyAt(p, arr)
	}
	v, err := r.value(p)
	if err != nil {
		return nil, nil, err
	}
	switch r.typ {
	case "concat":
		if items, ok := v.([]any); ok {
			return append(arr, items...), nil, nil
		}
		return append(arr, v), nil, nil
	case "push":
		return append(arr, v), nil, nil
	case "unshift":
		return append([]any{v}, arr...), nil, nil
	}
	// indexOf
	for i, e := range arr {
		if sameValueZero(e, v) {
			return nil, &arrayOut{float64(i)}, nil
		}
	}
	return nil, &arrayOut{-1.0}, nil
}

// applyAt runs the rules that take indexTemplate: insertAt, lookupAt,
// removeAt and replaceAt.
func (r *arrayRule) applyAt(p engine.Payload, arr []any) ([]any, *arrayOut, error) {
	i, err := arrayIndex(r.index, p)
	if err != nil {
		return nil, nil, err
	}
	if i < 0 {
		i += len(arr)
	}
	inRange := i >= 0 && i < len(arr)
	switch r.typ {
	case "lookupAt":
		if !inRange {
			return nil, &arrayOut{js.Undefined{}}, nil
		}
		return nil, &arrayOut{arr[i]}, nil
	case "removeAt":
		if !inRange {
			return nil, &arrayOut{js.Undefined{}}, nil
		}
		old := arr[i]
		return slices.Delete(arr, i, i+1), &arrayOut{old}, nil
	}
	v, err := r.value(p)
	if err != nil {
		return nil, nil, err
	}
	if r.typ == "insertAt" {
		return slices.Insert(arr, min(max(i, 0), len(arr)), v), nil, nil
	}
	if !inRange {
		return nil, &arrayOut{js.Undefined{}}, nil
	}
	old := arr[i]
	arr[i] = v
	return arr, &arrayOut{old}, nil
}

// applySlice is Array.prototype.slice(start, end).
func (r *arrayRule) applySlice(p engine.Payload, arr []any) ([]any, *arrayOut, error) {
	start, end := 0, len(arr)
	var err error
	if src, lit := r.input.Literal(); !lit || strings.TrimSpace(src) != "" {
		if start, err = arrayIndex(r.input, p); err != nil {
			return nil, nil, err
		}
	}
	if src, lit := r.index.Literal(); !lit || strings.TrimSpace(src) != "" {
		if end, err = arrayIndex(r.index, p); err != nil {
			return nil, nil, err
		}
	}
	clamp := func(i int) int {
		if i < 0 {
			i += len(arr)
		}
		return min(max(i, 0), len(arr))
	}
	start, end = clamp(start), clamp(end)
	if start >= end {
		return []any{}, nil, nil
	}
	return slices.Clone(arr[start:end]), nil, nil
}

// applyFilter keeps the items for which the expression is truthy.
func (r *arrayRule) applyFilter(ctx context.Context, p engine.Payload, arr []any) ([]any, *arrayOut, error) {
	kept := []any{}
	for i, v := range arr {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		root := map[string]any{"value": v, "index": float64(i), "array": arr, "payload": p}
		ok, err := r.filter.Eval(root)
		if err != nil {
			return nil, nil, engine.Errorf("Validation", "filter %q: %v", r.filter.String(), err)
		}
		if js.ToBoolean(ok) {
			kept = append(kept, v)
		}
	}
	return nil, &arrayOut{kept}, nil
}

// applyByProperty runs deduplicateBy, groupBy, keyBy and sortBy.
func (r *arrayRule) applyByProperty(p engine.Payload, arr []any) ([]any, *arrayOut, error) {
	key, err := r.propertyGetter(p)
	if err != nil {
		return nil, nil, err
	}
	switch r.typ {
	case "deduplicateBy":
		return nil, &arrayOut{arrayUniq(slices.Clone(arr), key)}, nil
	case "sortBy":
		return nil, &arrayOut{arraySort(arr, key, r.desc)}, nil
	}
	out := map[string]any{}
	for _, v := range arr {
		k := js.ToString(key(v))
		if r.typ == "keyBy" {
			out[k] = v
			continue
		}
		g, _ := out[k].([]any)
		out[k] = append(g, v)
	}
	return nil, &arrayOut{out}, nil
}

// propertyGetter returns a function reading the rule's property of an item.
func (r *arrayRule) propertyGetter(p engine.Payload) (func(any) any, error) {
	if r.property != nil {
		return r.property.Get, nil
	}
	name, err := r.input.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "inputTemplate: %v", err)
	}
	if strings.TrimSpace(name) == "" {
		return func(v any) any { return v }, nil
	}
	pp, _, err := engine.CompilePath("inputTemplate", strings.TrimSpace(name), true)
	if err != nil {
		return nil, err
	}
	return pp.Get, nil
}

// value evaluates the rule's value template.
func (r *arrayRule) value(p engine.Payload) (any, error) {
	return evalValueTemplate(r.input, p, false)
}

// compileArrayFilter compiles a filter expression. It is
// engine.CompileExpression except that a bare {{array}} reads the bound
// array instead of calling the array helper, which has the same name.
func compileArrayFilter(src string) (*expr.Expr, error) {
	e, err := expr.Compile(src, func(body string) (expr.Evaluator, error) {
		if strings.Trim(body, "{}~ \t\r\n") == "array" {
			return func(root any) (any, error) { return root.(map[string]any)["array"], nil }, nil
		}
		v, err := template.ParseValue(body)
		if err != nil {
			return nil, err
		}
		return v.Eval, nil
	})
	if err != nil {
		return nil, engine.Errorf("Validation", "inputTemplate: %v", err)
	}
	return e, nil
}

// evalValueTemplate evaluates a value template (templates.md §7): a single
// {{reference}} yields a copy of the raw value; other text is rendered and
// parsed as JSON. Text that is not JSON is an error when strict, else kept.
// Shared by the Array and Object nodes.
func evalValueTemplate(t *template.Template, p engine.Payload, strict bool) (any, error) {
	if v, ok := t.Value(); ok {
		raw, err := v.Eval(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "inputTemplate: %v", err)
		}
		return engine.Clone(raw), nil
	}
	text, err := t.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "inputTemplate: %v", err)
	}
	v, err := engine.DecodeValue([]byte(text))
	if err != nil {
		if strict {
			return nil, engine.Errorf("Validation", "inputTemplate is not valid JSON: %v", err)
		}
		return text, nil
	}
	return v, nil
}

// arrayIndex renders an index template and casts it to an integer.
func arrayIndex(t *template.Template, p engine.Payload) (int, error) {
	s, err := t.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "index: %v", err)
	}
	f := js.ToNumber(s)
	if strings.TrimSpace(s) == "" || math.IsNaN(f) {
		return 0, engine.Errorf("Validation", "index %q is not a number", s)
	}
	return int(max(min(math.Trunc(f), math.MaxInt32), math.MinInt32)), nil
}

// arrayUniq keeps the first item of each distinct key (SameValueZero).
func arrayUniq(arr []any, key func(any) any) []any {
	var seen []any
	return slices.DeleteFunc(arr, func(v any) bool {
		k := key(v)
		if slices.ContainsFunc(seen, func(s any) bool { return sameValueZero(s, k) }) {
			return true
		}
		seen = append(seen, k)
		return false
	})
}

// arrayFlatten flattens nested arrays recursively into out.
func arrayFlatten(arr, out []any) []any {
	if out == nil {
		out = []any{}
	}
	for _, v := range arr {
		if inner, ok := v.([]any); ok {
			out = arrayFlatten(inner, out)
			continue
		}
		out = append(out, v)
	}
	return out
}

// arraySort returns a stably sorted copy of arr, ordered by key.
func arraySort(arr []any, key func(any) any, desc bool) []any {
	out := slices.Clone(arr)
	slices.SortStableFunc(out, func(a, b any) int {
		c := compareValues(key(a), key(b))
		if desc {
			return -c
		}
		return c
	})
	return out
}

// compareValues is a total order for sorting: numbers, booleans and Dates
// numerically (NaN last among them), then strings by code point, then
// arrays and objects (equal to each other), then null, then undefined.
func compareValues(a, b any) int {
	ra, rb := sortRank(a), sortRank(b)
	if ra != rb {
		return ra - rb
	}
	switch ra {
	case 0:
		fa, fb := js.ToNumber(a), js.ToNumber(b)
		na, nb := math.IsNaN(fa), math.IsNaN(fb)
		switch {
		case na || nb:
			return boolRank(na) - boolRank(nb)
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
	case 1:
		return strings.Compare(a.(string), b.(string))
	}
	return 0
}

// sortRank groups values by type for compareValues.
func sortRank(v any) int {
	switch v.(type) {
	case float64, bool, time.Time:
		return 0
	case string:
		return 1
	case nil:
		return 3
	case js.Undefined:
		return 4
	}
	return 2
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameValueZero is the SameValueZero comparison of lodash uniq and indexOf:
// NaN equals NaN, and objects equal nothing (copies are never the same).
func sameValueZero(a, b any) bool {
	if fa, ok := a.(float64); ok {
		if fb, ok := b.(float64); ok {
			return fa == fb || math.IsNaN(fa) && math.IsNaN(fb)
		}
	}
	if js.IsObject(a) || js.IsObject(b) {
		return false
	}
	return js.StrictEqual(a, b)
}

var _ engine.Node = (*arrayNode)(nil)
