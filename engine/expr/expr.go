package expr

import "fmt"

// Evaluator yields the raw value of one compiled mustache for a payload root.
type Evaluator func(root any) (any, error)

// MustacheCompiler compiles the body of one mustache (the text between the
// braces, trimmed).
type MustacheCompiler func(body string) (Evaluator, error)

// Expr is a compiled expression; immutable and safe for concurrent use.
type Expr struct {
	src       string
	root      node
	mustaches []mustache
}

// mustache is one compiled {{…}} of the source, bound to a variable slot.
type mustache struct {
	body string
	eval Evaluator
}

// Compile parses src and compiles its mustaches with mc. It returns an error
// for a syntax error, an unknown identifier or function, a call with the
// wrong number of arguments, nesting deeper than 256 levels, or a mustache mc
// rejects (wrapped). mc may be nil only when src has no mustaches.
func Compile(src string, mc MustacheCompiler) (*Expr, error) {
	toks, bodies, err := lex(src)
	if err != nil {
		return nil, err
	}
	root, err := parse(toks)
	if err != nil {
		return nil, err
	}
	ms, err := compileMustaches(bodies, mc)
	if err != nil {
		return nil, err
	}
	return &Expr{src: src, root: root, mustaches: ms}, nil
}

// Eval evaluates every mustache against root, in source order, then the
// formula. It returns the JavaScript value of the expression, or the first
// error of a mustache's Evaluator, wrapped.
func (e *Expr) Eval(root any) (any, error) {
	vals := make([]any, len(e.mustaches))
	for i, m := range e.mustaches {
		v, err := m.eval(root)
		if err != nil {
			return nil, fmt.Errorf("expr: evaluate {{%s}}: %w", m.body, err)
		}
		vals[i] = normalize(v)
	}
	return e.root.eval(vals), nil
}

// String returns the source the expression was compiled from.
func (e *Expr) String() string {
	return e.src
}

// compileMustaches compiles every mustache body with mc.
func compileMustaches(bodies []mustacheSrc, mc MustacheCompiler) ([]mustache, error) {
	ms := make([]mustache, len(bodies))
	for i, b := range bodies {
		if mc == nil {
			return nil, fmt.Errorf("expr: mustache {{%s}} at offset %d: no mustache compiler", b.body, b.pos)
		}
		ev, err := mc(b.body)
		if err != nil {
			return nil, fmt.Errorf("expr: mustache {{%s}} at offset %d: %w", b.body, b.pos, err)
		}
		if ev == nil {
			return nil, fmt.Errorf("expr: mustache {{%s}} at offset %d: compiler returned no evaluator", b.body, b.pos)
		}
		ms[i] = mustache{body: b.body, eval: ev}
	}
	return ms, nil
}

// normalize turns Go numbers other than float64 into float64, so that results
// only ever hold JavaScript numbers as float64.
func normalize(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int8:
		return float64(n)
	case int16:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case uint:
		return float64(n)
	case uint8:
		return float64(n)
	case uint16:
		return float64(n)
	case uint32:
		return float64(n)
	case uint64:
		return float64(n)
	case float32:
		return float64(n)
	}
	return v
}
