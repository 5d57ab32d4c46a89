package template

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/weirhq/weir/engine/js"
)

func init() {
	register(map[string]func(a args) (any, error){
		"upper":     stringOp(strings.ToUpper),
		"lower":     stringOp(strings.ToLower),
		"trim":      stringOp(func(s string) string { return strings.TrimFunc(s, isJSSpace) }),
		"titleCase": stringOp(titleCase),
		"substring": helperSubstring,
		"length":    helperLength,
		"join":      helperJoin,
		"defaultTo": helperDefaultTo,
		"typeof":    func(a args) (any, error) { return typeOf(a.at(0)), nil },
	})
}

// stringOp builds a helper applying op to the value as text; null and
// undefined count as "" (lodash style) rather than "null"/"undefined".
func stringOp(op func(string) string) func(a args) (any, error) {
	return func(a args) (any, error) {
		return op(toText(a.at(0))), nil
	}
}

// isJSSpace reports whether r is whitespace for String.prototype.trim.
func isJSSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF'
}

// titleCase upper-cases the first letter of each whitespace-separated word
// and leaves the rest unchanged.
func titleCase(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		if start && !isJSSpace(r) {
			r = unicode.ToUpper(r)
		}
		start = isJSSpace(r)
		b.WriteRune(r)
	}
	return b.String()
}

// helperSubstring is String.prototype.substring on the value as text.
func helperSubstring(a args) (any, error) {
	s := toText(a.at(0))
	n := jsLength(s)
	start := clampIndex(js.ToNumber(a.at(1)), n)
	end := n
	if a.has(2) {
		end = clampIndex(js.ToNumber(a.at(2)), n)
	}
	if start > end {
		start, end = end, start
	}
	if isASCII(s) {
		return s[start:end], nil
	}
	u := utf16.Encode([]rune(s))
	return string(utf16.Decode(u[start:end])), nil
}

// clampIndex is ToIntegerOrInfinity clamped to [0, n].
func clampIndex(f float64, n int) int {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= float64(n):
		return n
	}
	return int(f)
}

// helperLength is the item count of an array, key count of an object or
// length of a string; anything else is undefined.
func helperLength(a args) (any, error) {
	switch v := a.at(0).(type) {
	case []any:
		return float64(len(v)), nil
	case map[string]any:
		return float64(len(v)), nil
	case string:
		return float64(jsLength(v)), nil
	}
	return undefined, nil
}

// helperJoin is Array.prototype.join with a default separator of ",".
func helperJoin(a args) (any, error) {
	sep := ","
	if a.has(1) {
		sep = toText(a.at(1))
	}
	arr, ok := a.at(0).([]any)
	if !ok {
		return toText(a.at(0)), nil
	}
	parts := make([]string, len(arr))
	for i, e := range arr {
		parts[i] = toText(e)
	}
	return strings.Join(parts, sep), nil
}

// helperDefaultTo returns the fallback when the value is null, undefined,
// "" or NaN (the spec leaves ""/NaN open; Losant's docs call them empty),
// else the value itself.
func helperDefaultTo(a args) (any, error) {
	switch v := a.at(0).(type) {
	case nil, js.Undefined:
		return a.at(1), nil
	case string:
		if v == "" {
			return a.at(1), nil
		}
	case float64:
		if math.IsNaN(v) {
			return a.at(1), nil
		}
	}
	return a.at(0), nil
}

// typeOf is Losant's typeof: JavaScript typeof with "null", "array" and
// "date" told apart from "object".
func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "array"
	case time.Time:
		return "date"
	}
	return js.TypeOf(v)
}
