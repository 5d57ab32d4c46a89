package expr

import (
	"cmp"
	"math"
	"unicode/utf8"

	"github.com/weirhq/weir/engine/js"
)

func lessThan(a, b any) any {
	r, ok := less(a, b)
	return ok && r
}

func greaterThan(a, b any) any {
	r, ok := less(b, a)
	return ok && r
}

func lessOrEqual(a, b any) any {
	r, ok := less(b, a)
	return ok && !r
}

func greaterOrEqual(a, b any) any {
	r, ok := less(a, b)
	return ok && !r
}

// less is JavaScript's abstract relational comparison a < b. Objects become
// primitives with the number hint (a Date its epoch milliseconds); two strings
// compare by UTF-16 code units; anything else compares as numbers. ok is false
// when the result is undefined because a number is NaN, which makes every
// relational operator false.
func less(a, b any) (r, ok bool) {
	pa, pb := js.ToPrimitive(a, true), js.ToPrimitive(b, true)
	sa, aIsStr := pa.(string)
	sb, bIsStr := pb.(string)
	if aIsStr && bIsStr {
		return compareUTF16(sa, sb) < 0, true
	}
	na, nb := js.ToNumber(pa), js.ToNumber(pb)
	if math.IsNaN(na) || math.IsNaN(nb) {
		return false, false
	}
	return na < nb, true
}

// compareUTF16 orders strings by their UTF-16 code units, as JavaScript does,
// which differs from byte order when a supplementary character meets a BMP
// character above the surrogate range.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra == rb {
			a, b = a[na:], b[nb:]
			continue
		}
		if ua, ub := firstUnit(ra), firstUnit(rb); ua != ub {
			return cmp.Compare(ua, ub)
		}
		return cmp.Compare(ra, rb)
	}
	return cmp.Compare(len(a), len(b))
}

// firstUnit returns the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}
