package nodes

import (
	"context"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// maxStringPadLength bounds pad, padStart and padEnd lengths.
const maxStringPadLength = 1000

var stringMethods = []string{
	"split", "replaceFirst", "replaceAll", "indexOf", "concat",
	"toUpper", "toUpperCase", "toLower", "toLowerCase", "trim", "trimStart", "trimEnd",
	"toNumber", "pad", "padStart", "padEnd", "truncate",
}

// stringMinArgs is how many methodArgs a method needs.
var stringMinArgs = map[string]int{"replaceFirst": 1, "replaceAll": 1, "indexOf": 1}

func init() {
	engine.Register(engine.Spec{
		Type:     "StringNode",
		Name:     "string",
		Category: "logic",
		Summary:  "Applies one string operation to a rendered template and stores the result.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "sourceData", Kind: "template", Required: true,
				Doc: "The string to operate on. It may render empty; the method then works on the empty string."},
			{Name: "method", Kind: "enum", Enum: stringMethods, Required: true,
				Doc: "split [separator] → array (no separator: [string]; empty: characters). replaceFirst / replaceAll [search, replacement=\"\"]: literal text, no regular expressions or $ patterns. " +
					"indexOf [search, fromIndex=0] → position or -1. concat [strings…] appends each. toUpper / toLower (toUpperCase / toLowerCase accepted as aliases), trim, trimStart, trimEnd. " +
					"toNumber → number, or null when the text is empty or not numeric. pad / padStart / padEnd [length 0–1000, fill=\" \"] (pad centres, extra fill on the right). " +
					"truncate [length=30, omission=\"...\"]: cut to length characters including the omission. Lengths and positions count UTF-16 code units, like JavaScript."},
			{Name: "methodArgs", Kind: "array",
				Doc: "The method's arguments, each a template rendered to a string; an arg that renders empty counts as absent for pad fill. A numeric arg that is not a number halts the run."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where the result goes."},
		},
	}, buildString)
}

type stringNode struct {
	source *template.Template
	method string
	args   []*template.Template
	result path.Path
}

func buildString(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SourceData engine.Text   `json:"sourceData"`
		Method     string        `json:"method"`
		MethodArgs []engine.Text `json:"methodArgs"`
		ResultPath string        `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if !slices.Contains(stringMethods, cfg.Method) {
		return nil, engine.Errorf("Validation", "method must be one of %v", stringMethods)
	}
	if cfg.SourceData == "" {
		return nil, engine.Errorf("Validation", "Source data is required")
	}
	if len(cfg.MethodArgs) < stringMinArgs[cfg.Method] {
		return nil, engine.Errorf("Validation", "%s needs at least %d argument(s)", cfg.Method, stringMinArgs[cfg.Method])
	}
	n := &stringNode{method: cfg.Method, args: make([]*template.Template, len(cfg.MethodArgs))}
	var err error
	if n.source, err = engine.CompileTemplate("sourceData", string(cfg.SourceData)); err != nil {
		return nil, err
	}
	for i, a := range cfg.MethodArgs {
		if n.args[i], err = engine.CompileTemplate("methodArgs", string(a)); err != nil {
			return nil, err
		}
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec applies the method and writes the result.
func (n *stringNode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	s, err := n.source.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "sourceData: %v", err)
	}
	args := make([]string, len(n.args))
	for i, t := range n.args {
		if args[i], err = t.Render(p); err != nil {
			return 0, engine.Errorf("Validation", "methodArgs: %v", err)
		}
	}
	v, err := n.apply(s, args)
	if err != nil {
		return 0, err
	}
	if err := n.result.Set(p, v); err != nil {
		return 0, engine.Errorf("Validation", "resultPath: %v", err)
	}
	return 0, nil
}

// apply runs the method on s.
func (n *stringNode) apply(s string, args []string) (any, error) {
	arg := func(i int) (string, bool) {
		if i < len(args) {
			return args[i], true
		}
		return "", false
	}
	switch n.method {
	case "split":
		sep, ok := arg(0)
		if !ok {
			return []any{s}, nil
		}
		parts := strings.Split(s, sep)
		out := make([]any, len(parts))
		for i, part := range parts {
			out[i] = part
		}
		return out, nil
	case "replaceFirst", "replaceAll":
		repl, _ := arg(1)
		count := 1
		if n.method == "replaceAll" {
			count = -1
		}
		return strings.Replace(s, args[0], repl, count), nil
	case "indexOf":
		from := 0.0
		if a, ok := arg(1); ok && strings.TrimSpace(a) != "" {
			f, err := stringNumberArg("fromIndex", a)
			if err != nil {
				return nil, err
			}
			from = f
		}
		return float64(utf16Index(s, args[0], from)), nil
	case "concat":
		return s + strings.Join(args, ""), nil
	case "toUpper", "toUpperCase":
		return strings.ToUpper(s), nil
	case "toLower", "toLowerCase":
		return strings.ToLower(s), nil
	case "trim":
		return strings.TrimFunc(s, isJSSpace), nil
	case "trimStart":
		return strings.TrimLeftFunc(s, isJSSpace), nil
	case "trimEnd":
		return strings.TrimRightFunc(s, isJSSpace), nil
	case "toNumber":
		f := js.ToNumber(s)
		if math.IsNaN(f) || strings.TrimFunc(s, isJSSpace) == "" {
			return nil, nil
		}
		return f, nil
	case "truncate":
		return n.truncate(s, args)
	}
	return n.pad(s, args)
}

// pad implements pad, padStart and padEnd like lodash.
func (n *stringNode) pad(s string, args []string) (any, error) {
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return s, nil
	}
	f, err := stringNumberArg("length", args[0])
	if err != nil {
		return nil, err
	}
	if f < 0 || f > maxStringPadLength {
		return nil, engine.Errorf("Validation", "length must be between 0 and %d", maxStringPadLength)
	}
	fill := " "
	if len(args) > 1 && args[1] != "" {
		fill = args[1]
	}
	total := int(f) - len(utf16.Encode([]rune(s)))
	if total <= 0 {
		return s, nil
	}
	switch n.method {
	case "padStart":
		return padding(fill, total) + s, nil
	case "padEnd":
		return s + padding(fill, total), nil
	}
	return padding(fill, total/2) + s + padding(fill, total-total/2), nil
}

// truncate implements lodash's truncate with length and omission.
func (n *stringNode) truncate(s string, args []string) (any, error) {
	length, omission := 30.0, "..."
	if len(args) > 0 && strings.TrimSpace(args[0]) != "" {
		if f := js.ToNumber(args[0]); !math.IsNaN(f) {
			length = math.Trunc(f)
		}
	}
	if len(args) > 1 {
		omission = args[1]
	}
	u := utf16.Encode([]rune(s))
	if length >= float64(len(u)) {
		return s, nil
	}
	end := int(length) - len(utf16.Encode([]rune(omission)))
	if end < 1 {
		return omission, nil
	}
	return string(utf16.Decode(u[:end])) + omission, nil
}

// stringNumberArg reads a numeric method argument as an integer.
func stringNumberArg(name, a string) (float64, error) {
	f := js.ToNumber(a)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, engine.Errorf("Validation", "%s %q is not a number", name, a)
	}
	return math.Trunc(f), nil
}

// utf16Index is JavaScript's s.indexOf(search, from).
func utf16Index(s, search string, from float64) int {
	u, q := utf16.Encode([]rune(s)), utf16.Encode([]rune(search))
	start := int(min(max(from, 0), float64(len(u))))
	for i := start; i+len(q) <= len(u); i++ {
		if slices.Equal(u[i:i+len(q)], q) {
			return i
		}
	}
	return -1
}

// padding repeats fill to exactly n UTF-16 code units.
func padding(fill string, n int) string {
	f := utf16.Encode([]rune(fill))
	out := make([]uint16, 0, n+len(f))
	for len(out) < n {
		out = append(out, f...)
	}
	return string(utf16.Decode(out[:n]))
}

// isJSSpace reports whether r is whitespace to String.prototype.trim.
func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

var _ engine.Node = (*stringNode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*stringNode) Contained() {}
