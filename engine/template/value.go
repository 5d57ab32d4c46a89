package template

import (
	"fmt"
	"strings"
)

// Value is one compiled mustache body — a path, literal or helper call —
// evaluated to a raw value rather than text. It is immutable and safe for
// concurrent use.
type Value struct {
	src  string
	call *callExpr
}

// ParseValue compiles the body of one mustache, such as "data.temp",
// "lower data.s" or `formatDate time "x" tz="America/Chicago"`. Surrounding
// braces are accepted and ignored. Block helpers (if, each, …) and unknown
// helpers called with arguments are errors.
func ParseValue(body string) (*Value, error) {
	inner := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(inner, "{{{") && strings.HasSuffix(inner, "}}}"):
		inner = inner[3 : len(inner)-3]
	case strings.HasPrefix(inner, "{{") && strings.HasSuffix(inner, "}}"):
		inner = inner[2 : len(inner)-2]
	}
	inner = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(inner), "~"), "~")
	c, err := compileBody(inner, 0, false)
	if err != nil {
		return nil, fmt.Errorf("template: %q: %w", body, err)
	}
	if err := checkInline(c); err != nil {
		return nil, fmt.Errorf("template: %q: %w", body, err)
	}
	return &Value{src: body, call: c}, nil
}

// Eval evaluates the expression against root and returns the raw value: a
// path yields the value with its type (js.Undefined{} when missing) and a
// helper call yields the helper's result (jsonEncode's text as a string).
func (v *Value) Eval(root any) (any, error) {
	s := &scope{ctx: root, root: root}
	return s.eval(v.call)
}

// String returns the source the Value was parsed from.
func (v *Value) String() string {
	return v.src
}
