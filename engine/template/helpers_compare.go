package template

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/weirhq/weir/engine/js"
)

// eq and ne use strict equality (===): the spec leaves strict vs loose open
// and recommends strict, which matches how exports compare numbers to number
// literals and strings to string literals.
func init() {
	register(map[string]func(a args) (any, error){
		"eq":       func(a args) (any, error) { return js.StrictEqual(a.at(0), a.at(1)), nil },
		"ne":       func(a args) (any, error) { return !js.StrictEqual(a.at(0), a.at(1)), nil },
		"gt":       relational(func(c int) bool { return c > 0 }),
		"gte":      relational(func(c int) bool { return c >= 0 }),
		"lt":       relational(func(c int) bool { return c < 0 }),
		"lte":      relational(func(c int) bool { return c <= 0 }),
		"match":    helperMatch,
		"includes": helperIncludes,
		"or":       helperOr,
	})
}

// relational builds a JavaScript relational comparison helper; ok maps the
// sign of compare(a, b) to the result. Incomparable values (NaN) are false.
func relational(ok func(int) bool) func(a args) (any, error) {
	return func(a args) (any, error) {
		c, comparable := compare(a.at(0), a.at(1))
		return comparable && ok(c), nil
	}
}

// compare is JavaScript's abstract relational comparison: two strings
// compare by code units, anything else numerically.
func compare(a, b any) (int, bool) {
	pa, pb := js.ToPrimitive(a, true), js.ToPrimitive(b, true)
	sa, aStr := pa.(string)
	sb, bStr := pb.(string)
	if aStr && bStr {
		return strings.Compare(sa, sb), true
	}
	x, y := js.ToNumber(pa), js.ToNumber(pb)
	switch {
	case math.IsNaN(x) || math.IsNaN(y):
		return 0, false
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// helperMatch is new RegExp(pattern).test(String(str)), using Go's RE2
// syntax; patterns RE2 cannot express are an error.
func helperMatch(a args) (any, error) {
	re, err := compileRegexp(toText(a.at(1)))
	if err != nil {
		return nil, err
	}
	return re.MatchString(js.ToString(a.at(0))), nil
}

// regexpCache holds compiled patterns; it is bounded by maxRegexps.
var regexpCache sync.Map

const maxRegexps = 512

var regexpCount int64
var regexpMu sync.Mutex

// compileRegexp compiles pattern once and caches it.
func compileRegexp(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexpCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", pattern, err)
	}
	regexpMu.Lock()
	if regexpCount < maxRegexps {
		regexpCount++
		regexpCache.Store(pattern, re)
	}
	regexpMu.Unlock()
	return re, nil
}

// helperIncludes reports whether an array holds value (SameValueZero) or a
// string contains String(value).
func helperIncludes(a args) (any, error) {
	switch c := a.at(0).(type) {
	case []any:
		v := a.at(1)
		for _, e := range c {
			if js.StrictEqual(e, v) || (isNaN(e) && isNaN(v)) {
				return true, nil
			}
		}
		return false, nil
	case string:
		return strings.Contains(c, js.ToString(a.at(1))), nil
	}
	return false, nil
}

// helperOr returns the first truthy argument, else the last (JavaScript ||).
func helperOr(a args) (any, error) {
	for _, v := range a.params {
		if js.ToBoolean(v) {
			return v, nil
		}
	}
	return a.at(len(a.params) - 1), nil
}

// isNaN reports whether v is the number NaN.
func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}
