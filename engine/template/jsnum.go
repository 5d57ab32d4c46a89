package template

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// roundScaled returns round-half-up(x × 10^frac) as decimal digits, computed
// exactly as JavaScript's Number.prototype.toFixed family requires (ties go
// to the larger value). x must be finite and non-negative.
func roundScaled(x float64, frac int) string {
	r := new(big.Rat).SetFloat64(x)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(frac))), nil)
	if frac >= 0 {
		r.Mul(r, new(big.Rat).SetInt(p))
	} else {
		r.Quo(r, new(big.Rat).SetInt(p))
	}
	r.Add(r, big.NewRat(1, 2))
	n := new(big.Int).Quo(r.Num(), r.Denom()) // floor, r > 0
	return n.String()
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// decimalExponent is floor(log10(x)) for finite x > 0.
func decimalExponent(x float64) int {
	s := strconv.FormatFloat(x, 'e', -1, 64)
	e, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	return e
}

// toFixed is Number.prototype.toFixed(f) for 0 <= f <= 100.
func toFixed(x float64, f int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e21 {
		return js.FormatNumber(x)
	}
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	d := roundScaled(x, f)
	if len(d) <= f {
		d = strings.Repeat("0", f-len(d)+1) + d
	}
	if f == 0 {
		return sign + d
	}
	return sign + d[:len(d)-f] + "." + d[len(d)-f:]
}

// expDigits returns the p significant digits of finite x > 0, rounded half
// up, and the decimal exponent of the first digit.
func expDigits(x float64, p int) (string, int) {
	e := decimalExponent(x)
	d := roundScaled(x, p-1-e)
	if len(d) > p {
		e++
		d = d[:p]
	}
	return d, e
}

// toExponential is Number.prototype.toExponential(f); f < 0 means the
// shortest representation (no argument).
func toExponential(x float64, f int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return js.FormatNumber(x)
	}
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	var d string
	var e int
	switch {
	case x == 0:
		d = strings.Repeat("0", max(f, 0)+1)
	case f < 0:
		d, e = shortestDigits(x)
	default:
		d, e = expDigits(x, f+1)
	}
	m := d[:1]
	if len(d) > 1 {
		m += "." + d[1:]
	}
	return sign + m + "e" + expSuffix(e)
}

// expSuffix is the exponent part of JavaScript exponential notation.
func expSuffix(e int) string {
	if e < 0 {
		return "-" + strconv.Itoa(-e)
	}
	return "+" + strconv.Itoa(e)
}

// shortestDigits returns the shortest round-tripping digits of x > 0 and
// the exponent of the first one.
func shortestDigits(x float64) (string, int) {
	s := strconv.FormatFloat(x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	return strings.Replace(mant, ".", "", 1), e
}

// toPrecision is Number.prototype.toPrecision(p) for 1 <= p <= 100.
func toPrecision(x float64, p int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return js.FormatNumber(x)
	}
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	if x == 0 {
		if p == 1 {
			return "0"
		}
		return "0." + strings.Repeat("0", p-1)
	}
	d, e := expDigits(x, p)
	if e < -6 || e >= p {
		m := d[:1]
		if p > 1 {
			m += "." + d[1:]
		}
		return sign + m + "e" + expSuffix(e)
	}
	if e >= 0 {
		if p > e+1 {
			return sign + d[:e+1] + "." + d[e+1:]
		}
		return sign + d
	}
	return sign + "0." + strings.Repeat("0", -e-1) + d
}
