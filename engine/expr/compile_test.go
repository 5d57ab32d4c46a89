package expr_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/weirhq/weir/engine/expr"
)

// compileErrorTests are sources Compile rejects, with a fragment of the
// expected message.
var compileErrorTests = []struct {
	name string
	src  string
	want string
}{
	{"Empty", "", "unexpected end of expression"},
	{"Blank", "  \n ", "unexpected end of expression"},
	{"DanglingOperator", "1 +", "unexpected end of expression"},
	{"UnclosedParen", "(1 + 2", "unexpected end of expression"},
	{"ExtraParen", "1 + 2)", `offset 5: unexpected ")"`},
	{"EmptyParens", "()", `unexpected ")"`},
	{"UnknownIdentifier", "foo > 1", `unknown identifier "foo"`},
	{"UnknownFunction", "foo(1)", `unknown function "foo"`},
	{"FunctionNotCalled", "abs + 1", "function abs must be called"},
	{"TooFewArguments", "pow(1)", "pow takes 2 arguments, got 1"},
	{"TooManyArguments", "abs(1, 2)", "abs takes 1 argument, got 2"},
	{"TrailingComma", "max(1,)", `unexpected ")"`},
	{"MissingComma", "max(1 2)", "unexpected number"},
	{"Assignment", "1 = 1", "assignment is not supported"},
	{"Ternary", "1 ? 2 : 3", "unexpected character '?'"},
	{"MemberAccess", "{{data.x}}.y", "unexpected character '.'"},
	{"ArrayLiteral", "[1, 2]", "unexpected character '['"},
	{"BitwiseAnd", "1 & 2", "unexpected character '&'"},
	{"UnsignedShift", "1 >>> 2", `unexpected ">"`},
	{"AdjacentMustaches", "{{data.x}} {{data.y}}", "offset 11: unexpected mustache"},
	{"AdjacentNumbers", "1 2", "unexpected number"},
	{"IdentifierAfterNumber", "3in", "identifier starts immediately after number"},
	{"EmptyExponent", "1e", "invalid number literal"},
	{"EmptyHex", "0x", "invalid number literal"},
	{"UnterminatedString", "'abc", "unterminated string"},
	{"NewlineInString", "'a\nb'", "unterminated string"},
	{"BadHexEscape", `'\x4'`, "invalid hexadecimal escape sequence"},
	{"BadUnicodeEscape", `'\u12'`, "invalid Unicode escape sequence"},
	{"UnclosedMustache", "{{data.x > 1", "unclosed {{"},
	{"UnclosedTripleStash", "{{{data.x}} > 1", "unclosed {{{"},
	{"UnclosedMustacheInString", "'{{data.x'", "unclosed {{"},
	{"UnclosedComment", "{{!-- x }} 1", "unclosed comment"},
	{"BlockHelper", "{{#if data.x}}1{{/if}}", "block helpers are not allowed"},
	{"Else", "{{else}}", "block helpers are not allowed"},
	{"StrayBraces", "1 }}", "unexpected character '}'"},
}

func TestCompileError(t *testing.T) {
	for _, tc := range compileErrorTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := expr.Compile(tc.src, compileMustache)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile(%q) error = %v, want it to contain %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestCompileMustacheError(t *testing.T) {
	errBad := errors.New("bad mustache")
	mc := func(string) (expr.Evaluator, error) { return nil, errBad }
	_, err := expr.Compile("1 + {{ nope }}", mc)
	if !errors.Is(err, errBad) {
		t.Fatalf("Compile() error = %v, want it to wrap %v", err, errBad)
	}
	if want := "{{nope}} at offset 4"; !strings.Contains(err.Error(), want) {
		t.Errorf("Compile() error = %q, want it to contain %q", err, want)
	}
}

func TestCompileNoCompiler(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		mc      expr.MustacheCompiler
		wantErr string
	}{
		{"NilCompilerNoMustache", "1 + 1", nil, ""},
		{"NilCompiler", "{{data.x}}", nil, "no mustache compiler"},
		{"NilEvaluator", "{{data.x}}", func(string) (expr.Evaluator, error) { return nil, nil }, "no evaluator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := expr.Compile(tc.src, tc.mc)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Compile(%q) error = %v, want %q", tc.src, err, tc.wantErr)
			}
		})
	}
}

func TestCompileCallsCompilerOncePerMustache(t *testing.T) {
	var bodies []string
	mc := func(body string) (expr.Evaluator, error) {
		bodies = append(bodies, body)
		return compileMustache(body)
	}
	e, err := expr.Compile("{{ data.a }} + '{{data.b}}' + {{{data.c}}}", mc)
	if err != nil {
		t.Fatalf("Compile() error: %v", err)
	}
	for range 3 {
		if _, err := e.Eval(nil); err != nil {
			t.Fatalf("Eval() error: %v", err)
		}
	}
	if want := []string{"data.a", "data.b", "data.c"}; !slices.Equal(bodies, want) {
		t.Errorf("compiled bodies = %q, want %q", bodies, want)
	}
}

func TestEvalError(t *testing.T) {
	e := mustCompile(t, "true || {{fail}}")
	got, err := e.Eval(nil)
	if !errors.Is(err, errEval) {
		t.Errorf("Eval() = %v, %v, want error wrapping %v", got, err, errEval)
	}
}

func TestCompileNesting(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr bool
	}{
		{"Parens256", strings.Repeat("(", 256) + "1" + strings.Repeat(")", 256), false},
		{"Parens257", strings.Repeat("(", 257) + "1" + strings.Repeat(")", 257), true},
		{"Parens10000", strings.Repeat("(", 10000), true},
		{"Calls10000", strings.Repeat("abs(", 10000) + "1" + strings.Repeat(")", 10000), true},
		{"Mixed10000", strings.Repeat("-(!", 10000), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := expr.Compile(tc.src, compileMustache)
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("Compile(<%d bytes>) error = %v, want error %t", len(tc.src), err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "nesting deeper than 256") {
				t.Errorf("Compile(<%d bytes>) error = %v, want a nesting error", len(tc.src), err)
			}
		})
	}
}

func TestEvalLongInput(t *testing.T) {
	const n = 100_000
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"Sum", "1" + strings.Repeat(" + 1", n-1), float64(n)},
		{"PowerChain", strings.Repeat("1 ^ ", n) + "2", 1.0},
		{"Negations", strings.Repeat("!", n+1) + "0", true},
		{"Minuses", strings.Repeat("- ", n) + "3", 3.0},
		{"Mustaches", strings.Repeat("{{data.t}} && ", n) + "{{data.v}}", "end"},
		{"LongString", "length('" + strings.Repeat("x", 10*n) + "')", float64(10 * n)},
	}
	root := map[string]any{"data": map[string]any{"t": true, "v": "end"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustEval(t, tc.src, root); got != tc.want {
				t.Errorf("Eval(<%d bytes>) = %#v, want %#v", len(tc.src), got, tc.want)
			}
		})
	}
}

func TestEvalConcurrent(t *testing.T) {
	e := mustCompile(t, "{{data.v}} * 2")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			root := map[string]any{"data": map[string]any{"v": float64(i)}}
			got, err := e.Eval(root)
			if want := float64(2 * i); err != nil || got != want {
				t.Errorf("Eval(v=%d) = %v, %v, want %v", i, got, err, want)
			}
		})
	}
	wg.Wait()
}
