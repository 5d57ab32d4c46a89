package template

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// render writes prog to b.
func (s *scope) render(b *strings.Builder, prog program) error {
	for _, n := range prog {
		if s.view != nil {
			if err := s.view.tick(b); err != nil {
				return err
			}
		}
		switch n := n.(type) {
		case *textNode:
			b.WriteString(n.text)
		case *mustacheNode:
			v, err := s.call(n.call)
			if err != nil {
				return err
			}
			if ss, ok := v.(safeString); ok {
				b.WriteString(string(ss))
			} else if n.raw {
				b.WriteString(toText(v))
			} else {
				writeEscaped(b, toText(v))
			}
		case *blockNode:
			if err := s.renderBlock(b, n); err != nil {
				return err
			}
		case *partialNode:
			if err := s.renderPartial(b, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderBlock renders one block statement.
func (s *scope) renderBlock(b *strings.Builder, n *blockNode) error {
	if n.kind == blockHelper && n.call.helper.block != nil {
		a, err := s.arguments(n.call)
		if err != nil {
			return err
		}
		if err := n.call.helper.block(s, b, n, a); err != nil {
			return fmt.Errorf("template: %s: %w", n.call.name, err)
		}
		return nil
	}
	if n.kind == blockHelper {
		v, err := s.eval(n.call)
		if err != nil {
			return err
		}
		return s.branch(b, n, truthy(v, false))
	}
	v, err := s.eval(n.call.params0(n.kind))
	if err != nil {
		return err
	}
	switch n.kind {
	case blockIf:
		return s.branch(b, n, truthy(v, s.includeZero(n)))
	case blockUnless:
		return s.branch(b, n, !truthy(v, s.includeZero(n)))
	case blockWith:
		if isEmpty(v) {
			return s.helperThis().render(b, n.inverse)
		}
		return s.push(v, s.data).bind(n.call.blockParams, v).render(b, n.body)
	case blockEach:
		return s.each(b, n, v)
	}
	// blockSection: Handlebars' blockHelperMissing.
	switch x := v.(type) {
	case bool:
		return s.branch(b, n, x)
	case nil, js.Undefined:
		return s.helperThis().render(b, n.inverse)
	case []any:
		if len(x) == 0 {
			return s.helperThis().render(b, n.inverse)
		}
		return s.each(b, n, x)
	}
	return s.push(v, s.data).render(b, n.body)
}

// params0 is the value a built-in block or section is about.
func (c *callExpr) params0(k blockKind) expr {
	if k == blockSection {
		return c.head
	}
	return c.params[0]
}

// branch renders, in the helper's own context, the body when cond holds,
// else the inverse.
func (s *scope) branch(b *strings.Builder, n *blockNode, cond bool) error {
	if cond {
		return s.helperThis().render(b, n.body)
	}
	return s.helperThis().render(b, n.inverse)
}

// helperThis is the scope of a body a helper renders in its own context
// (fn(this) in handlebars.js). handlebars.js calls helpers on an empty
// object when the context is null or undefined; for undefined (only) that
// object also counts as one more ../ level.
func (s *scope) helperThis() *scope {
	switch s.ctx.(type) {
	case nil:
		c := *s
		c.ctx = map[string]any{}
		return &c
	case js.Undefined:
		return s.push(map[string]any{}, s.data)
	}
	return s
}

// includeZero evaluates the includeZero=true hash option of #if/#unless.
func (s *scope) includeZero(n *blockNode) bool {
	for _, h := range n.call.hash {
		if h.key == "includeZero" {
			v, _ := s.eval(h.val)
			return js.ToBoolean(v)
		}
	}
	return false
}

// push returns a child scope whose context is ctx.
func (s *scope) push(ctx any, data *dataFrame) *scope {
	return &scope{ctx: ctx, parent: s, data: data, root: s.root, view: s.view, locals: s.locals}
}

// bind returns s with its block's parameters (names) set to vals.
func (s *scope) bind(names []string, vals ...any) *scope {
	if len(names) == 0 {
		return s
	}
	locals := make(map[string]any, len(s.locals)+len(names))
	for k, v := range s.locals {
		locals[k] = v
	}
	for i, n := range names {
		if i < len(vals) {
			locals[n] = vals[i]
		}
	}
	s.locals = locals
	return s
}

// each iterates arrays (in order) and objects (in sorted key order, since
// payload objects carry no insertion order).
func (s *scope) each(b *strings.Builder, n *blockNode, v any) error {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			d := &dataFrame{parent: s.data, index: i, key: float64(i), first: i == 0, last: i == len(x)-1}
			if err := s.push(e, d).bind(n.call.blockParams, e, float64(i)).render(b, n.body); err != nil {
				return err
			}
		}
		if len(x) > 0 {
			return nil
		}
	case map[string]any:
		keys := sortedKeys(x)
		for i, k := range keys {
			d := &dataFrame{parent: s.data, index: i, key: k, first: i == 0, last: i == len(keys)-1}
			if err := s.push(x[k], d).bind(n.call.blockParams, x[k], k).render(b, n.body); err != nil {
				return err
			}
		}
		if len(keys) > 0 {
			return nil
		}
	}
	return s.helperThis().render(b, n.inverse)
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// truthy is the condition of #if: JavaScript truthiness, except that empty
// arrays are false and, with includeZero, 0 is true.
func truthy(v any, includeZero bool) bool {
	if a, ok := v.([]any); ok {
		return len(a) > 0
	}
	if f, ok := v.(float64); ok && f == 0 && includeZero {
		return true
	}
	return js.ToBoolean(v)
}

// isEmpty is Handlebars' isEmpty: falsy values other than 0, and empty
// arrays.
func isEmpty(v any) bool {
	if f, ok := v.(float64); ok && f == 0 {
		return false
	}
	return !truthy(v, false)
}
