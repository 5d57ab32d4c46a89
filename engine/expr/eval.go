package expr

import (
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// node is a syntax-tree node. eval computes its value from the mustache
// values of one evaluation, indexed by slot; it never fails.
type node interface {
	eval(vals []any) any
}

// constNode is a literal or keyword.
type constNode struct {
	v any
}

func (n constNode) eval([]any) any {
	return n.v
}

// varNode is a mustache outside a string literal.
type varNode struct {
	slot int
}

func (n varNode) eval(vals []any) any {
	return vals[n.slot]
}

// interpNode is a string literal with mustaches interpolated as text.
type interpNode struct {
	parts []strPart
}

func (n interpNode) eval(vals []any) any {
	var b strings.Builder
	for _, sp := range n.parts {
		if !sp.isVar {
			b.WriteString(sp.text)
			continue
		}
		b.WriteString(interpolate(vals[sp.slot]))
	}
	return b.String()
}

// binaryNode is a left-associative chain x0 op0 x1 op1 x2 … of one level.
type binaryNode struct {
	xs  []node
	ops []binOp
}

func (n *binaryNode) eval(vals []any) any {
	acc := n.xs[0].eval(vals)
	for i, op := range n.ops {
		acc = op(acc, n.xs[i+1].eval(vals))
	}
	return acc
}

// logicalNode is a chain of && (and set) or || operands. Like JavaScript it
// returns the operand that decided the result and skips the rest.
type logicalNode struct {
	xs  []node
	and bool
}

func (n *logicalNode) eval(vals []any) any {
	v := n.xs[0].eval(vals)
	for _, x := range n.xs[1:] {
		if js.ToBoolean(v) != n.and {
			return v
		}
		v = x.eval(vals)
	}
	return v
}

// powerNode is a right-associative chain x0 ^ x1 ^ … of two or more operands.
type powerNode struct {
	xs []node
}

func (n *powerNode) eval(vals []any) any {
	last := len(n.xs) - 1
	acc := js.ToNumber(n.xs[last].eval(vals))
	for i := last - 1; i >= 0; i-- {
		acc = pow(js.ToNumber(n.xs[i].eval(vals)), acc)
	}
	return acc
}

// unaryNode applies prefix operators, innermost (last) first.
type unaryNode struct {
	ops []unaryOp
	x   node
}

func (n *unaryNode) eval(vals []any) any {
	v := n.x.eval(vals)
	for i := len(n.ops) - 1; i >= 0; i-- {
		v = n.ops[i](v)
	}
	return v
}

// callNode is a call of a built-in function.
type callNode struct {
	call func(args []any) any
	args []node
}

func (n *callNode) eval(vals []any) any {
	args := make([]any, len(n.args))
	for i, x := range n.args {
		args[i] = x.eval(vals)
	}
	return n.call(args)
}

// chain builds the node for operands xs joined by the operators ops of one
// level; a single operand stands for itself.
func chain(xs []node, ops []string) node {
	switch {
	case len(xs) == 1:
		return xs[0]
	case ops[0] == "&&" || ops[0] == "||":
		return &logicalNode{xs: xs, and: ops[0] == "&&"}
	}
	fs := make([]binOp, len(ops))
	for i, op := range ops {
		fs[i] = binaryOps[op]
	}
	return &binaryNode{xs: xs, ops: fs}
}

// interpolate prints a value inside a string literal the way a Handlebars
// template prints it: null and undefined as the empty string, anything else
// with JavaScript String().
func interpolate(v any) string {
	switch v.(type) {
	case nil, js.Undefined:
		return ""
	}
	return js.ToString(v)
}
