package js

import (
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Undefined is the JavaScript undefined value: what reading a missing
// property yields.
type Undefined struct{}

// dateLayout is Date.prototype.toString in UTC.
const dateLayout = "Mon Jan 02 2006 15:04:05 GMT-0700"

// ToString converts v like JavaScript's String(v).
func ToString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case Undefined:
		return "undefined"
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	case time.Time:
		return FormatDate(v)
	case []any:
		return joinArray(v)
	case map[string]any:
		return "[object Object]"
	}
	if f, ok := asFloat(v); ok {
		return FormatNumber(f)
	}
	return "[object Object]"
}

// FormatDate prints t like Date.prototype.toString in the UTC zone, e.g.
// "Fri Feb 19 2016 22:26:00 GMT+0000 (Coordinated Universal Time)".
func FormatDate(t time.Time) string {
	return t.UTC().Format(dateLayout) + " (Coordinated Universal Time)"
}

// joinArray is Array.prototype.join with ",": null and undefined elements
// print as empty strings.
func joinArray(a []any) string {
	var b strings.Builder
	for i, e := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		switch e.(type) {
		case nil, Undefined:
		default:
			b.WriteString(ToString(e))
		}
	}
	return b.String()
}

// FormatNumber prints f like JavaScript's Number.prototype.toString().
func FormatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	case f < 0:
		return "-" + FormatNumber(-f)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	n, k := x+1, len(digits)
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	sign := "+"
	if n-1 < 0 {
		sign = "-"
	}
	m := digits[:1]
	if k > 1 {
		m += "." + digits[1:]
	}
	return m + "e" + sign + strconv.Itoa(abs(n-1))
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// decimalRE is the StrDecimalLiteral grammar of JavaScript's ToNumber.
var decimalRE = regexp.MustCompile(`^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)$`)

// ToNumber converts v like JavaScript's Number(v).
func ToNumber(v any) float64 {
	switch v := v.(type) {
	case nil:
		return 0
	case Undefined:
		return math.NaN()
	case bool:
		if v {
			return 1
		}
		return 0
	case string:
		return stringToNumber(v)
	case time.Time:
		return float64(v.UnixMilli())
	case []any, map[string]any:
		return ToNumber(ToPrimitive(v, true))
	}
	if f, ok := asFloat(v); ok {
		return f
	}
	return math.NaN()
}

func stringToNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			u, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(u)
		}
	}
	if !decimalRE.MatchString(s) {
		return math.NaN()
	}
	switch strings.TrimLeft(s, "+") {
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return math.NaN()
	}
	return f
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// ToBoolean reports JavaScript truthiness: false, 0, NaN, "", null and
// undefined are falsy; everything else, empty objects and arrays included, is
// truthy.
func ToBoolean(v any) bool {
	switch v := v.(type) {
	case nil, Undefined:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case time.Time, []any, map[string]any:
		return true
	}
	if f, ok := asFloat(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	return true
}

// ToPrimitive converts objects to primitives like JavaScript: a Date becomes
// its epoch milliseconds when hintNumber is set and its string form
// otherwise; arrays and plain objects become their string form. Primitives
// are returned unchanged.
func ToPrimitive(v any, hintNumber bool) any {
	switch v := v.(type) {
	case time.Time:
		if hintNumber {
			return float64(v.UnixMilli())
		}
		return ToString(v)
	case []any, map[string]any:
		return ToString(v)
	}
	if f, ok := asFloat(v); ok {
		return f
	}
	return v
}

// TypeOf is JavaScript's typeof operator.
func TypeOf(v any) string {
	switch v.(type) {
	case Undefined:
		return "undefined"
	case bool:
		return "boolean"
	case string:
		return "string"
	case nil, time.Time, []any, map[string]any:
		return "object"
	}
	if _, ok := asFloat(v); ok {
		return "number"
	}
	return "object"
}

// IsObject reports whether v is a JavaScript object (array, plain object or
// Date) rather than a primitive.
func IsObject(v any) bool {
	switch v.(type) {
	case time.Time, []any, map[string]any:
		return true
	}
	return false
}

// StrictEqual is JavaScript's === operator. Arrays and objects are equal only
// to themselves; Dates compare by instant.
func StrictEqual(a, b any) bool {
	if fa, ok := asFloat(a); ok {
		fb, ok := asFloat(b)
		return ok && fa == fb
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case Undefined:
		_, ok := b.(Undefined)
		return ok
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case time.Time:
		bt, ok := b.(time.Time)
		return ok && a.Equal(bt)
	case []any, map[string]any:
		return sameObject(a, b)
	}
	return false
}

// sameObject reports whether a and b are the same array or map.
func sameObject(a, b any) bool {
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	if ra.Kind() != rb.Kind() {
		return false
	}
	if ra.Kind() == reflect.Slice && ra.Len() != rb.Len() {
		return false
	}
	return ra.UnsafePointer() == rb.UnsafePointer()
}

// LooseEqual is JavaScript's == operator.
func LooseEqual(a, b any) bool {
	an, bn := isNullish(a), isNullish(b)
	if an || bn {
		return an && bn
	}
	if sameKind(a, b) {
		return StrictEqual(a, b)
	}
	if _, ok := a.(bool); ok {
		return LooseEqual(ToNumber(a), b)
	}
	if _, ok := b.(bool); ok {
		return LooseEqual(a, ToNumber(b))
	}
	ao, bo := IsObject(a), IsObject(b)
	switch {
	case ao && bo:
		return false
	case ao:
		return LooseEqual(ToPrimitive(a, false), b)
	case bo:
		return LooseEqual(a, ToPrimitive(b, false))
	}
	// number vs string
	return ToNumber(a) == ToNumber(b)
}

func isNullish(v any) bool {
	switch v.(type) {
	case nil, Undefined:
		return true
	}
	return false
}

// sameKind reports whether a and b have the same JavaScript type, treating
// arrays, plain objects and Dates as distinct kinds.
func sameKind(a, b any) bool {
	_, fa := asFloat(a)
	_, fb := asFloat(b)
	if fa || fb {
		return fa && fb
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b)
}

// asFloat reads any Go numeric type as a float64.
func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	}
	return 0, false
}
