package expr

import (
	"math"

	"github.com/weirhq/weir/engine/js"
)

// binOp is a binary operator on JavaScript values.
type binOp func(a, b any) any

// unaryOp is a prefix operator on a JavaScript value.
type unaryOp func(v any) any

// binaryOps holds every binary operator but &&, || and ^, which the syntax
// tree handles itself.
var binaryOps = map[string]binOp{
	"+":   add,
	"-":   numeric(func(a, b float64) float64 { return a - b }),
	"*":   numeric(func(a, b float64) float64 { return a * b }),
	"/":   numeric(func(a, b float64) float64 { return a / b }),
	"%":   numeric(math.Mod),
	"<<":  numeric(shiftLeft),
	">>":  numeric(shiftRight),
	"<":   lessThan,
	"<=":  lessOrEqual,
	">":   greaterThan,
	">=":  greaterOrEqual,
	"==":  func(a, b any) any { return js.LooseEqual(a, b) },
	"!=":  func(a, b any) any { return !js.LooseEqual(a, b) },
	"===": func(a, b any) any { return js.StrictEqual(a, b) },
	"!==": func(a, b any) any { return !js.StrictEqual(a, b) },
}

// unaryOps holds the prefix operators.
var unaryOps = map[string]unaryOp{
	"!":      func(v any) any { return !js.ToBoolean(v) },
	"-":      func(v any) any { return -js.ToNumber(v) },
	"+":      func(v any) any { return js.ToNumber(v) },
	"typeof": func(v any) any { return js.TypeOf(v) },
}

// add is JavaScript's +: string concatenation when either primitive is a
// string, numeric addition otherwise.
func add(a, b any) any {
	pa, pb := js.ToPrimitive(a, false), js.ToPrimitive(b, false)
	_, sa := pa.(string)
	_, sb := pb.(string)
	if sa || sb {
		return js.ToString(pa) + js.ToString(pb)
	}
	return js.ToNumber(pa) + js.ToNumber(pb)
}

// numeric lifts an operation on numbers to one on values converted with
// JavaScript's Number(). math.Mod already has the semantics of JavaScript's %.
func numeric(f func(a, b float64) float64) binOp {
	return func(a, b any) any {
		return f(js.ToNumber(a), js.ToNumber(b))
	}
}

// pow is JavaScript's exponentiation, which differs from math.Pow for a NaN
// exponent and for ±1 raised to ±Infinity (both NaN).
func pow(x, y float64) float64 {
	if math.IsNaN(y) || math.IsInf(y, 0) && math.Abs(x) == 1 {
		return math.NaN()
	}
	return math.Pow(x, y)
}

func shiftLeft(a, b float64) float64 {
	return float64(toInt32(a) << (toUint32(b) & 31))
}

func shiftRight(a, b float64) float64 {
	return float64(toInt32(a) >> (toUint32(b) & 31))
}

// toUint32 is JavaScript's ToUint32: truncate, then wrap modulo 2^32.
func toUint32(f float64) uint32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	m := math.Mod(math.Trunc(f), 1<<32)
	if m < 0 {
		m += 1 << 32
	}
	return uint32(m)
}

// toInt32 is JavaScript's ToInt32.
func toInt32(f float64) int32 {
	return int32(toUint32(f))
}
