package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Template is a compiled Handlebars template. It is immutable and safe for
// concurrent use.
type Template struct {
	src      string
	prog     program
	literal  bool
	value    *Value
	partials map[string]program // a view's inline partials
}

// Parse compiles a Handlebars source. It returns an error for malformed
// syntax, unknown helpers called with arguments and helpers that are not
// supported yet.
func Parse(src string) (*Template, error) {
	prog, err := (&parser{src: src}).parseProgram()
	if err != nil {
		return nil, err
	}
	t := &Template{src: src, prog: prog, literal: !strings.Contains(src, "{{")}
	t.value = singleValue(prog, src)
	return t, nil
}

// Render renders the template against root (normally the payload) and
// returns the text. Missing paths render as empty strings; errors come only
// from helpers (for example an invalid regular expression).
func (t *Template) Render(root any) (string, error) {
	if t.literal {
		return t.src, nil
	}
	var b strings.Builder
	s := &scope{ctx: root, root: root}
	if err := s.render(&b, t.prog); err != nil {
		return "", err
	}
	return b.String(), nil
}

// RenderJSON renders the template and parses the text as JSON, returning
// nil, bool, float64, string, []any or map[string]any. Text that is not
// valid JSON is an error quoting the offending part.
func (t *Template) RenderJSON(root any) (any, error) {
	text, err := t.Render(root)
	if err != nil {
		return nil, err
	}
	return parseJSON(text)
}

// Literal returns the source and true when it contains no mustaches at all,
// so callers can skip rendering.
func (t *Template) Literal() (string, bool) {
	return t.src, t.literal
}

// Value returns the single expression and true when the trimmed source is
// exactly one mustache holding a path or helper call, such as
// "{{working.items}}" or "{{{jsonDecode data.s}}}". Callers use it to keep
// the raw value of value templates.
func (t *Template) Value() (*Value, bool) {
	return t.value, t.value != nil
}

// String returns the template source.
func (t *Template) String() string {
	return t.src
}

// singleValue returns the Value of a template that is one mustache.
func singleValue(prog program, src string) *Value {
	src = strings.TrimSpace(src)
	if !strings.HasPrefix(src, "{{") || !strings.HasSuffix(src, "}}") {
		return nil
	}
	var m *mustacheNode
	for _, n := range prog {
		switch n := n.(type) {
		case *mustacheNode:
			if m != nil {
				return nil
			}
			m = n
		case *textNode:
			if strings.TrimSpace(n.text) != "" {
				return nil
			}
		default:
			return nil
		}
	}
	if m == nil {
		return nil
	}
	// Reject sources like "{{a}}{{! c }}" whose other tags render nothing.
	if items, err := scan(src); err != nil || len(items) != 1 {
		return nil
	}
	return &Value{src: src, call: m.call}
}

// parseJSON parses rendered JSON text into payload values.
func parseJSON(text string) (any, error) {
	var v any
	err := json.Unmarshal([]byte(text), &v)
	if err == nil {
		return v, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, fmt.Errorf("template: rendered text is not valid JSON: %v at offset %d near %q",
			err, se.Offset, near(text, int(se.Offset)))
	}
	return nil, fmt.Errorf("template: rendered text is not valid JSON: %w", err)
}

// near quotes up to 20 bytes of text before offset, for error messages.
func near(text string, off int) string {
	off = min(max(off, 0), len(text))
	return text[max(0, off-20):off]
}
