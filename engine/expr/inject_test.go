package expr_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// injections are payload strings that would change the expression if they
// were spliced into its text.
var injections = []string{
	"1) || (true",
	"'; true; '",
	"' || true || '",
	`" || true || "`,
	"{{data.secret}}",
	"true",
	"1 + 1",
	"}} || true || {{",
	"\\",
}

func TestEvalPayloadIsData(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want func(x string) any
	}{
		{"Value", "{{data.x}}", func(x string) any { return x }},
		{"Parenthesized", "({{data.x}})", func(x string) any { return x }},
		{"StrictEqual", "{{data.x}} === 'a'", func(string) any { return false }},
		{"NegatedInCall", "!includes({{data.x}}, 'nothing like this')", func(string) any { return true }},
		{"And", "{{data.f}} && {{data.x}}", func(string) any { return false }},
		{"InStringLiteral", "'<{{data.x}}>'", func(x string) any { return "<" + x + ">" }},
		{"InStringLiteralEqual", "'{{data.x}}' === 'a'", func(string) any { return false }},
		{"Concat", "{{data.x}} + '!'", func(x string) any { return x + "!" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := mustCompile(t, tc.src)
			for _, x := range injections {
				root := map[string]any{"data": map[string]any{"x": x, "f": false, "secret": "leaked"}}
				got, err := e.Eval(root)
				if err != nil {
					t.Fatalf("Eval(%q) with x=%q error: %v", tc.src, x, err)
				}
				if want := tc.want(x); !cmp.Equal(got, want) {
					t.Errorf("Eval(%q) with x=%q = %#v, want %#v", tc.src, x, got, want)
				}
			}
		})
	}
}
