package template

import (
	"math"

	"github.com/weirhq/weir/engine/js"
)

func init() {
	register(map[string]func(a args) (any, error){
		"add":      binary(func(x, y float64) float64 { return x + y }),
		"subtract": binary(func(x, y float64) float64 { return x - y }),
		"multiply": binary(func(x, y float64) float64 { return x * y }),
		"divide":   binary(func(x, y float64) float64 { return x / y }),
		"ceil":     unary(math.Ceil),
		"floor":    unary(math.Floor),
		"max":      extremum(math.Max, math.Inf(-1)),
		"min":      extremum(math.Min, math.Inf(1)),
		"scaleLinear": func(a args) (any, error) {
			fromLow, fromHigh := js.ToNumber(a.at(0)), js.ToNumber(a.at(1))
			toLow, toHigh, v := js.ToNumber(a.at(2)), js.ToNumber(a.at(3)), js.ToNumber(a.at(4))
			return toLow + (v-fromLow)*(toHigh-toLow)/(fromHigh-fromLow), nil
		},
	})
}

// binary builds a helper applying op to Number(a) and Number(b).
func binary(op func(x, y float64) float64) func(a args) (any, error) {
	return func(a args) (any, error) {
		return op(js.ToNumber(a.at(0)), js.ToNumber(a.at(1))), nil
	}
}

// unary builds a helper applying op to Number(v).
func unary(op func(float64) float64) func(a args) (any, error) {
	return func(a args) (any, error) {
		return op(js.ToNumber(a.at(0))), nil
	}
}

// extremum builds Math.max / Math.min over all arguments (NaN wins;
// none is the result without arguments).
func extremum(op func(x, y float64) float64, none float64) func(a args) (any, error) {
	return func(a args) (any, error) {
		r := none
		for _, v := range a.params {
			r = op(r, js.ToNumber(v))
		}
		return r, nil
	}
}
