package path

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// Path is a parsed payload path. The zero Path is the root (".").
type Path struct {
	src  string
	segs []string
}

// Parse parses a payload path. It accepts "." for the root, dotted names,
// bracketed segments ("[0]", "[a key]") with or without a leading dot, and
// leniently "a.0" for an array index.
func Parse(s string) (Path, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Path{}, errors.New("path is empty")
	}
	if t == "." {
		return Path{src: t}, nil
	}
	var segs []string
	for i := 0; i < len(t); {
		switch t[i] {
		case '[':
			end := strings.IndexByte(t[i:], ']')
			if end < 0 {
				return Path{}, fmt.Errorf("path %q: unclosed [", s)
			}
			segs = append(segs, t[i+1:i+end])
			i += end + 1
			if i < len(t) && t[i] != '.' && t[i] != '[' {
				return Path{}, fmt.Errorf("path %q: expected . after ]", s)
			}
			if i < len(t) && t[i] == '.' {
				i++
				if i == len(t) {
					return Path{}, fmt.Errorf("path %q: ends with .", s)
				}
			}
		case '.', ']':
			return Path{}, fmt.Errorf("path %q: empty segment", s)
		default:
			j := i
			for j < len(t) && t[j] != '.' && t[j] != '[' && t[j] != ']' {
				j++
			}
			segs = append(segs, t[i:j])
			i = j
			if i < len(t) && t[i] == ']' {
				return Path{}, fmt.Errorf("path %q: unexpected ]", s)
			}
			if i < len(t) && t[i] == '.' {
				i++
				if i == len(t) {
					return Path{}, fmt.Errorf("path %q: ends with .", s)
				}
			}
		}
	}
	return Path{src: t, segs: segs}, nil
}

// MustParse is Parse for paths known to be valid; it panics otherwise.
func MustParse(s string) Path {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the path as written.
func (p Path) String() string {
	if p.src == "" {
		return "."
	}
	return p.src
}

// IsRoot reports whether p denotes the whole payload.
func (p Path) IsRoot() bool { return len(p.segs) == 0 }

// Get returns the value at p in root, or js.Undefined{} when any step is
// missing.
func (p Path) Get(root any) any {
	v := root
	for _, s := range p.segs {
		v = step(v, s)
		if _, ok := v.(js.Undefined); ok {
			return v
		}
	}
	return v
}

// step reads one property like JavaScript: object keys, array and string
// indexes, and the length of arrays and strings.
func step(v any, seg string) any {
	switch c := v.(type) {
	case map[string]any:
		if e, ok := c[seg]; ok {
			return e
		}
	case []any:
		if seg == "length" {
			return float64(len(c))
		}
		if i, ok := index(seg); ok && i < len(c) {
			return c[i]
		}
	case string:
		if seg == "length" {
			return float64(len([]rune(c)))
		}
		if i, ok := index(seg); ok {
			r := []rune(c)
			if i < len(r) {
				return string(r[i])
			}
		}
	}
	return js.Undefined{}
}

// index parses a canonical non-negative array index.
func index(seg string) (int, bool) {
	if seg == "" || len(seg) > 9 || (len(seg) > 1 && seg[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(seg)
	return n, err == nil && n >= 0
}

// maxIndex bounds the index a write may create, so that a path like
// "a.[999999999]" cannot allocate a giant array.
const maxIndex = 100_000

// Set stores v at p in root, creating missing intermediate containers. A
// js.Undefined v removes the final key instead. Setting the root itself is
// an error unless v is an object, whose keys then replace root's.
func (p Path) Set(root map[string]any, v any) error {
	if p.IsRoot() {
		m, ok := v.(map[string]any)
		if !ok {
			return errors.New("cannot replace the whole payload with a non-object value")
		}
		clear(root)
		for k, e := range m {
			root[k] = e
		}
		return nil
	}
	if _, ok := v.(js.Undefined); ok {
		p.Delete(root)
		return nil
	}
	_, err := set(root, p.segs, v)
	return err
}

// set writes v under c at segs and returns the (possibly new) container.
func set(c any, segs []string, v any) (any, error) {
	seg, rest := segs[0], segs[1:]
	switch c := c.(type) {
	case map[string]any:
		child, err := setChild(c[seg], rest, v)
		if err != nil {
			return nil, err
		}
		c[seg] = child
		return c, nil
	case []any:
		i, ok := index(seg)
		if !ok {
			return nil, fmt.Errorf("cannot set property %q of an array", seg)
		}
		if i >= maxIndex {
			return nil, fmt.Errorf("array index %d is too large", i)
		}
		for len(c) <= i {
			c = append(c, nil)
		}
		child, err := setChild(c[i], rest, v)
		if err != nil {
			return nil, err
		}
		c[i] = child
		return c, nil
	}
	return nil, errors.New("not a container")
}

// setChild writes v at rest below cur, replacing cur with a new container
// when it cannot hold children.
func setChild(cur any, rest []string, v any) (any, error) {
	if len(rest) == 0 {
		return v, nil
	}
	switch cur.(type) {
	case map[string]any, []any:
	default:
		if _, ok := index(rest[0]); ok {
			cur = []any{}
		} else {
			cur = map[string]any{}
		}
	}
	return set(cur, rest, v)
}

// Delete removes the value at p from root. Removing an array element sets it
// to null, keeping the other indexes stable. Deleting the root clears it.
func (p Path) Delete(root map[string]any) {
	if p.IsRoot() {
		clear(root)
		return
	}
	parent := Path{segs: p.segs[:len(p.segs)-1]}.Get(root)
	last := p.segs[len(p.segs)-1]
	switch c := parent.(type) {
	case map[string]any:
		delete(c, last)
	case []any:
		if i, ok := index(last); ok && i < len(c) {
			c[i] = nil
		}
	}
}
