package template

import (
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// safeString is helper output that is already safe to print unescaped, like
// Handlebars' SafeString (returned by jsonEncode).
type safeString string

// toText converts a value to template output with JavaScript String()
// rules, except that null and undefined print as the empty string.
func toText(v any) string {
	switch v := v.(type) {
	case nil, js.Undefined:
		return ""
	case string:
		return v
	case safeString:
		return string(v)
	}
	return js.ToString(v)
}

// escapes maps the characters Handlebars 4 escapes to their entities.
var escapes = [256]string{
	'&':  "&amp;",
	'<':  "&lt;",
	'>':  "&gt;",
	'"':  "&quot;",
	'\'': "&#x27;",
	'`':  "&#x60;",
	'=':  "&#x3D;",
}

// writeEscaped writes s to b, HTML-escaped like Handlebars' escapeExpression.
func writeEscaped(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if e := escapes[s[i]]; e != "" {
			b.WriteString(s[last:i])
			b.WriteString(e)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
}
