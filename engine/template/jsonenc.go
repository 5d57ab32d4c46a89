package template

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/weirhq/weir/engine/js"
)

// jsonStringify is JSON.stringify(v, null, indent). Object keys are sorted
// (payload objects carry no insertion order), Dates become ISO strings,
// non-finite numbers null, and undefined is skipped in objects and null in
// arrays. ok is false when v itself is undefined.
func jsonStringify(v any, indent string) (string, bool) {
	if _, isUndef := v.(js.Undefined); isUndef {
		return "", false
	}
	var b strings.Builder
	writeJSON(&b, v, indent, "", 0)
	return b.String(), true
}

// maxJSONDepth guards against self-referencing values.
const maxJSONDepth = 1000

func writeJSON(b *strings.Builder, v any, indent, prefix string, depth int) {
	if depth > maxJSONDepth {
		b.WriteString("null")
		return
	}
	switch x := v.(type) {
	case nil, js.Undefined:
		b.WriteString("null")
	case bool:
		b.WriteString(js.ToString(x))
	case string:
		writeJSONString(b, x)
	case time.Time:
		writeJSONString(b, isoString(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		inner := prefix + indent
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, indent, inner)
			writeJSON(b, e, indent, inner, depth+1)
		}
		newline(b, indent, prefix)
		b.WriteByte(']')
	case map[string]any:
		inner := prefix + indent
		b.WriteByte('{')
		n := 0
		for _, k := range sortedKeys(x) {
			if _, isUndef := x[k].(js.Undefined); isUndef {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			newline(b, indent, inner)
			writeJSONString(b, k)
			b.WriteByte(':')
			if indent != "" {
				b.WriteByte(' ')
			}
			writeJSON(b, x[k], indent, inner, depth+1)
		}
		if n > 0 {
			newline(b, indent, prefix)
		}
		b.WriteByte('}')
	default:
		f := js.ToNumber(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(js.FormatNumber(f))
	}
}

// newline starts an indented line when indenting.
func newline(b *strings.Builder, indent, prefix string) {
	if indent == "" {
		return
	}
	b.WriteByte('\n')
	b.WriteString(prefix)
}

// writeJSONString writes s as a JSON string literal the way JSON.stringify
// does: only quotes, backslashes and control characters are escaped.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}

// isoString is Date.prototype.toISOString: UTC with milliseconds.
func isoString(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
