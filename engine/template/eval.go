package template

import (
	"fmt"
	"strconv"
	"unicode/utf16"

	"github.com/weirhq/weir/engine/js"
)

// undefined is the JavaScript undefined value.
var undefined any = js.Undefined{}

// scope is the rendering state: the current context, the enclosing
// contexts reachable with ../, and the @data frame of the nearest #each.
type scope struct {
	ctx    any
	parent *scope
	data   *dataFrame
	root   any
	view   *viewFrame     // nil outside experience views
	locals map[string]any // block parameters in reach (views' "as |x|")
}

// dataFrame holds the @index, @key, @first and @last of one #each step.
type dataFrame struct {
	parent      *dataFrame
	index       int
	key         any
	first, last bool
}

// eval evaluates an argument to its raw value; SafeStrings become strings.
func (s *scope) eval(e expr) (any, error) {
	switch e := e.(type) {
	case *literalExpr:
		return e.val, nil
	case *pathExpr:
		return s.lookupPath(e), nil
	case *callExpr:
		v, err := s.call(e)
		if ss, ok := v.(safeString); ok {
			return string(ss), err
		}
		return v, err
	}
	return undefined, nil
}

// call evaluates a mustache body or subexpression; a helper's SafeString
// result is kept so the printer can skip escaping.
func (s *scope) call(c *callExpr) (any, error) {
	if c.helper == nil {
		return s.eval(c.head)
	}
	a, err := s.arguments(c)
	if err != nil {
		return nil, err
	}
	var v any
	if c.helper.view != nil {
		v, err = c.helper.view(s, a)
	} else {
		v, err = c.helper.fn(a)
	}
	if err != nil {
		return nil, fmt.Errorf("template: %s: %w", c.name, err)
	}
	return v, nil
}

// arguments evaluates the parameters and hash of a call.
func (s *scope) arguments(c *callExpr) (args, error) {
	a := args{params: make([]any, len(c.params))}
	for i, p := range c.params {
		v, err := s.eval(p)
		if err != nil {
			return a, err
		}
		a.params[i] = v
	}
	if len(c.hash) > 0 {
		a.hash = make([]hashValue, len(c.hash))
		for i, h := range c.hash {
			v, err := s.eval(h.val)
			if err != nil {
				return a, err
			}
			a.hash[i] = hashValue{key: h.key, val: v}
		}
	}
	return a, nil
}

// lookupPath resolves a path against the scope; missing steps yield
// undefined.
func (s *scope) lookupPath(p *pathExpr) any {
	var v any
	parts := p.parts
	if p.data {
		if len(parts) == 0 {
			return undefined
		}
		name := parts[0]
		parts = parts[1:]
		if name == "root" && p.depth == 0 {
			v = s.root
		} else if name == "args" && p.depth == 0 && s.view != nil {
			v = s.view.args
		} else {
			d := s.data
			for i := 0; i < p.depth && d != nil; i++ {
				d = d.parent
			}
			v = d.get(name)
		}
	} else if local, ok := s.locals[first(parts)]; ok && !p.explicit && p.depth == 0 {
		v, parts = local, parts[1:]
	} else {
		sc := s
		for i := 0; i < p.depth && sc != nil; i++ {
			sc = sc.parent
		}
		if sc == nil {
			return undefined
		}
		v = sc.ctx
	}
	for _, part := range parts {
		v = property(v, part)
	}
	return v
}

// first returns parts[0], or "" when there are none.
func first(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return parts[0]
}

// get returns the data variable name of the frame.
func (d *dataFrame) get(name string) any {
	if d == nil {
		return undefined
	}
	switch name {
	case "index":
		return float64(d.index)
	case "key":
		return d.key
	case "first":
		return d.first
	case "last":
		return d.last
	}
	return undefined
}

// property reads v[key] like JavaScript: object keys, array indexes, string
// characters and the length of arrays and strings. Anything else is
// undefined.
func property(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		if x, ok := v[key]; ok {
			return x
		}
	case []any:
		if key == "length" {
			return float64(len(v))
		}
		if i, ok := arrayIndex(key); ok && i < len(v) {
			return v[i]
		}
	case string:
		if key == "length" {
			return float64(jsLength(v))
		}
		if i, ok := arrayIndex(key); ok {
			return charAt(v, i)
		}
	}
	return undefined
}

// arrayIndex parses a canonical non-negative integer index.
func arrayIndex(key string) (int, bool) {
	if key == "" || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(key)
	return n, err == nil && n >= 0
}

// isASCII reports whether s has only single-byte characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jsLength is a string's length in UTF-16 code units.
func jsLength(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// charAt is s[i] in UTF-16 code units, or undefined when out of range.
func charAt(s string, i int) any {
	if isASCII(s) {
		if i < len(s) {
			return s[i : i+1]
		}
		return undefined
	}
	u := utf16.Encode([]rune(s))
	if i >= len(u) {
		return undefined
	}
	return string(utf16.Decode(u[i : i+1]))
}
