package expr

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// maxDepth caps the nesting of parentheses and function calls, so that no
// source can exhaust the stack.
const maxDepth = 256

// levels lists the binary operators from the loosest binding to the
// tightest, above ^ which binds tighter than all of them.
var levels = [][]string{
	{"||"},
	{"&&"},
	{"==", "!=", "===", "!=="},
	{"<", "<=", ">", ">="},
	{"<<", ">>"},
	{"+", "-"},
	{"*", "/", "%"},
}

// keywords are the identifiers that name a constant.
var keywords = map[string]any{
	"true":      true,
	"false":     false,
	"null":      nil,
	"undefined": js.Undefined{},
	"PI":        math.Pi,
	"E":         math.E,
	"NaN":       math.NaN(),
	"Infinity":  math.Inf(1),
}

// parser is a recursive-descent parser over a token list ending in tEOF.
type parser struct {
	toks  []token
	i     int
	depth int
}

// parse builds the syntax tree of a whole token list.
func parse(toks []token) (node, error) {
	p := &parser{toks: toks}
	n, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return n, nil
}

// binary parses a chain of operators of levels[level] whose operands bind
// tighter. Chains are flat, so long sources do not deepen the tree.
func (p *parser) binary(level int) (node, error) {
	if level == len(levels) {
		return p.power()
	}
	first, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	var ops []string
	xs := []node{first}
	for p.peekOp(levels[level]...) {
		ops = append(ops, p.take().text)
		x, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return chain(xs, ops), nil
}

// power parses right-associative ^ chains of unary operands.
func (p *parser) power() (node, error) {
	var xs []node
	for {
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
		if !p.peekOp("^") {
			break
		}
		p.take()
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return &powerNode{xs: xs}, nil
}

// unary parses prefix operators, then a primary.
func (p *parser) unary() (node, error) {
	var ops []unaryOp
	for {
		t := p.peek()
		op, ok := unaryOps[t.text]
		if !ok || t.kind != tOp && t.kind != tIdent {
			break
		}
		ops = append(ops, op)
		p.take()
	}
	x, err := p.primary()
	if err != nil || len(ops) == 0 {
		return x, err
	}
	return &unaryNode{ops: ops, x: x}, nil
}

// primary parses a literal, a mustache, a keyword, a call or a parenthesized
// expression.
func (p *parser) primary() (node, error) {
	t := p.take()
	switch t.kind {
	case tNum:
		return constNode{v: t.num}, nil
	case tStr:
		return stringLiteral(t.parts), nil
	case tVar:
		return varNode{slot: t.slot}, nil
	case tIdent:
		return p.ident(t)
	case tOp:
		if t.text == "(" {
			return p.group(t)
		}
	}
	return nil, p.unexpected(t)
}

// group parses the rest of a parenthesized expression opened by t.
func (p *parser) group(t token) (node, error) {
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return x, nil
}

// ident resolves a keyword or parses a function call.
func (p *parser) ident(t token) (node, error) {
	if v, ok := keywords[t.text]; ok {
		return constNode{v: v}, nil
	}
	fn, ok := functions[t.text]
	switch {
	case ok && p.peekOp("("):
		return p.call(t, fn)
	case ok:
		return nil, syntaxErrorf(t.pos, "function %s must be called", t.text)
	case p.peekOp("("):
		return nil, syntaxErrorf(t.pos, "unknown function %q", t.text)
	}
	return nil, syntaxErrorf(t.pos, "unknown identifier %q", t.text)
}

// call parses the argument list of the function named by t.
func (p *parser) call(t token, fn function) (node, error) {
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.take() // (
	var args []node
	for !p.peekOp(")") {
		if len(args) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		x, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	p.take() // )
	if fn.arity >= 0 && len(args) != fn.arity {
		return nil, syntaxErrorf(t.pos, "%s takes %d argument%s, got %d", t.text, fn.arity, plural(fn.arity), len(args))
	}
	return &callNode{call: fn.call, args: args}, nil
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return syntaxErrorf(t.pos, "nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) leave() {
	p.depth--
}

func (p *parser) expect(op string) error {
	if t := p.take(); t.kind != tOp || t.text != op {
		return p.unexpected(t)
	}
	return nil
}

// peek returns the next token; at the end it keeps returning tEOF.
func (p *parser) peek() token {
	return p.toks[p.i]
}

func (p *parser) take() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) peekOp(ops ...string) bool {
	t := p.peek()
	return t.kind == tOp && slices.Contains(ops, t.text)
}

func (p *parser) unexpected(t token) error {
	switch t.kind {
	case tEOF:
		return syntaxErrorf(t.pos, "unexpected end of expression")
	case tNum:
		return syntaxErrorf(t.pos, "unexpected number")
	case tStr:
		return syntaxErrorf(t.pos, "unexpected string")
	case tVar:
		return syntaxErrorf(t.pos, "unexpected mustache")
	}
	return syntaxErrorf(t.pos, "unexpected %q", t.text)
}

// stringLiteral builds a constant for a plain literal, or an interpolation
// when the literal holds mustaches.
func stringLiteral(parts []strPart) node {
	if slices.ContainsFunc(parts, func(sp strPart) bool { return sp.isVar }) {
		return interpNode{parts: parts}
	}
	var b strings.Builder
	for _, sp := range parts {
		b.WriteString(sp.text)
	}
	return constNode{v: b.String()}
}

func syntaxErrorf(pos int, format string, args ...any) error {
	return fmt.Errorf("expr: syntax error at offset %d: %s", pos, fmt.Sprintf(format, args...))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
