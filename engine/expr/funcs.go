package expr

import (
	"math"
	"strings"
	"unicode/utf16"

	"github.com/weirhq/weir/engine/js"
)

// variadic is the arity of a function that takes any number of arguments.
const variadic = -1

// function is a built-in function. Arity is checked at Compile time, so call
// always gets the declared number of arguments.
type function struct {
	arity int
	call  func(args []any) any
}

// functions holds the built-in functions by name.
var functions = map[string]function{
	"abs":      unary(math.Abs),
	"ceil":     unary(math.Ceil),
	"floor":    unary(math.Floor),
	"round":    unary(round),
	"trunc":    unary(math.Trunc),
	"sqrt":     unary(math.Sqrt),
	"log":      unary(math.Log),
	"log10":    unary(math.Log10),
	"exp":      unary(math.Exp),
	"sin":      unary(math.Sin),
	"cos":      unary(math.Cos),
	"tan":      unary(math.Tan),
	"asin":     unary(math.Asin),
	"acos":     unary(math.Acos),
	"atan":     unary(math.Atan),
	"sinh":     unary(math.Sinh),
	"cosh":     unary(math.Cosh),
	"tanh":     unary(math.Tanh),
	"asinh":    unary(math.Asinh),
	"acosh":    unary(math.Acosh),
	"atanh":    unary(math.Atanh),
	"pow":      binary(pow),
	"atan2":    binary(math.Atan2),
	"min":      {arity: variadic, call: fold(math.Inf(1), math.Min)},
	"max":      {arity: variadic, call: fold(math.Inf(-1), math.Max)},
	"length":   {arity: 1, call: func(args []any) any { return length(args[0]) }},
	"includes": {arity: 2, call: func(args []any) any { return includes(args[0], args[1]) }},
}

// unary lifts a one-argument math function to JavaScript values.
func unary(f func(float64) float64) function {
	return function{arity: 1, call: func(args []any) any {
		return f(js.ToNumber(args[0]))
	}}
}

// binary lifts a two-argument math function to JavaScript values.
func binary(f func(a, b float64) float64) function {
	return function{arity: 2, call: func(args []any) any {
		return f(js.ToNumber(args[0]), js.ToNumber(args[1]))
	}}
}

// fold is Math.min or Math.max: start for no arguments, NaN if any argument is
// NaN (math.Min and math.Max order -0 below +0, but return ±Inf before
// looking for NaN, so NaN is checked first).
func fold(start float64, f func(a, b float64) float64) func(args []any) any {
	return func(args []any) any {
		acc := start
		for _, a := range args {
			n := js.ToNumber(a)
			if math.IsNaN(n) {
				acc = n
			}
			if !math.IsNaN(acc) {
				acc = f(acc, n)
			}
		}
		return acc
	}
}

// round is JavaScript's Math.round: halves round toward +Infinity, and
// results in [-0.5, 0) are -0.
func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	if r == 0 && math.Signbit(x) {
		return math.Copysign(0, -1)
	}
	return r
}

// length is the number of elements of an array, UTF-16 code units of a
// string or keys of an object; undefined for anything else.
func length(v any) any {
	switch v := v.(type) {
	case []any:
		return float64(len(v))
	case map[string]any:
		return float64(len(v))
	case string:
		n := 0
		for _, r := range v {
			n += utf16.RuneLen(r)
		}
		return float64(n)
	}
	return js.Undefined{}
}

// includes reports whether an array holds v (SameValueZero, like
// Array.prototype.includes) or a string contains String(v); anything else
// includes nothing.
func includes(coll, v any) any {
	switch c := coll.(type) {
	case []any:
		for _, e := range c {
			if sameValueZero(e, v) {
				return true
			}
		}
		return false
	case string:
		return strings.Contains(c, js.ToString(v))
	}
	return false
}

// sameValueZero is === except that NaN equals NaN.
func sameValueZero(a, b any) bool {
	if js.StrictEqual(a, b) {
		return true
	}
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	return okA && okB && math.IsNaN(fa) && math.IsNaN(fb)
}
