package expr_test

import (
	"strings"
	"testing"

	"github.com/weirhq/weir/engine/expr"
)

// FuzzEval checks that Compile and Eval never panic, that a compiled
// expression evaluates to a value or an error, and that String round-trips.
// The second input is the payload value of {{data.x}}.
func FuzzEval(f *testing.F) {
	for _, tc := range specTests {
		f.Add(tc.src, "")
	}
	for _, tc := range evalTests {
		f.Add(tc.src, "1")
	}
	for _, tc := range compileErrorTests {
		f.Add(tc.src, "")
	}
	for _, x := range injections {
		f.Add("{{data.x}} === 'a' || '{{data.x}}'", x)
	}
	f.Add(strings.Repeat("(", 300), "")
	f.Fuzz(func(t *testing.T, src, x string) {
		e, err := expr.Compile(src, compileMustache)
		if err != nil {
			return
		}
		if got := e.String(); got != src {
			t.Errorf("String() = %q, want %q", got, src)
		}
		root := map[string]any{"data": map[string]any{"x": x, "arr": []any{x, 1.0}}}
		if _, err := e.Eval(root); err != nil && !strings.Contains(src, "fail") {
			t.Errorf("Eval(%q) error: %v", src, err)
		}
	})
}
