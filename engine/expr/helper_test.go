package expr_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/js"
)

// errEval is what the mustache {{fail}} yields at evaluation time.
var errEval = errors.New("evaluator failed")

// compileMustache is a small MustacheCompiler for tests: a body is a dotted
// path such as data.a.[1], "lower <path>", or "fail".
func compileMustache(body string) (expr.Evaluator, error) {
	if body == "fail" {
		return func(any) (any, error) { return nil, errEval }, nil
	}
	helper, arg, ok := strings.Cut(body, " ")
	switch {
	case !ok:
		return func(root any) (any, error) { return lookup(root, body), nil }, nil
	case helper == "lower":
		return func(root any) (any, error) {
			s, _ := lookup(root, arg).(string)
			return strings.ToLower(s), nil
		}, nil
	}
	return nil, fmt.Errorf("unknown helper %q", helper)
}

// lookup reads a dotted path from root; missing steps yield undefined.
func lookup(root any, path string) any {
	cur := root
	for seg := range strings.SplitSeq(path, ".") {
		seg = strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return js.Undefined{}
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return js.Undefined{}
			}
			cur = c[i]
		default:
			return js.Undefined{}
		}
	}
	return cur
}

// mustCompile compiles src with compileMustache or fails the test.
func mustCompile(tb testing.TB, src string) *expr.Expr {
	tb.Helper()
	e, err := expr.Compile(src, compileMustache)
	if err != nil {
		tb.Fatalf("Compile(%q) error: %v", src, err)
	}
	return e
}

// mustEval compiles src and evaluates it against root or fails the test.
func mustEval(tb testing.TB, src string, root any) any {
	tb.Helper()
	got, err := mustCompile(tb, src).Eval(root)
	if err != nil {
		tb.Fatalf("Eval(%q) error: %v", src, err)
	}
	return got
}
