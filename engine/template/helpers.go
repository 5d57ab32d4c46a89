package template

import (
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// helper is one Losant helper. The same function serves string templates,
// subexpressions and Value.Eval; fn receives evaluated (raw) arguments and
// returns a raw value, or a safeString for output that must not be escaped.
type helper struct {
	fn func(a args) (any, error)
	// view, set for the view helpers instead of fn, also gets the scope;
	// block, when set, renders the helper's block itself.
	view  func(s *scope, a args) (any, error)
	block func(s *scope, b *strings.Builder, n *blockNode, a args) error
}

// args are a helper call's evaluated arguments.
type args struct {
	params []any
	hash   []hashValue
}

// hashValue is one evaluated key=value argument.
type hashValue struct {
	key string
	val any
}

// at returns positional argument i, or undefined when absent.
func (a args) at(i int) any {
	if i >= 0 && i < len(a.params) {
		return a.params[i]
	}
	return undefined
}

// has reports whether positional argument i was given and is not undefined.
func (a args) has(i int) bool {
	if i >= len(a.params) {
		return false
	}
	_, isUndef := a.params[i].(js.Undefined)
	return !isUndef
}

// opt returns hash argument key, or undefined.
func (a args) opt(key string) any {
	for _, h := range a.hash {
		if h.key == key {
			return h.val
		}
	}
	return undefined
}

// helpers is the table of supported helpers by name.
var helpers = map[string]*helper{}

// register adds helpers to the table; it panics on duplicates.
func register(m map[string]func(a args) (any, error)) {
	for name, fn := range m {
		if _, dup := helpers[name]; dup {
			panic("template: duplicate helper " + name)
		}
		helpers[name] = &helper{fn: fn}
	}
}

// unsupported lists Losant helpers this package does not implement yet;
// using one is a Parse error that says so.
var unsupported = map[string]string{
	"dashboardUrl":     "dashboards are not part of weir",
	"colorMarker":      "dashboards are not part of weir",
	"toHtml":           "HTML Parser node output is not implemented",
	"template":         "nested template rendering is not implemented",
	"evalExpression":   "expressions are evaluated by package expr",
	"gpsIsPointInside": "polygon tests are not implemented",
}
