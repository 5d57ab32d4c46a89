package expr_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine/expr"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/internal/nodejs"
)

// Losant evaluates expressions as JavaScript; engine/expr re-implements the
// language. TestDifferential holds the two to the same results: every
// golden case, and thousands of generated expressions over the values where
// JavaScript surprises (coercion, == against ===, + on strings and numbers,
// truthiness of {}, [], 0 and "", null against undefined, number
// formatting), are evaluated by weir and by Node (V8), and must agree.
//
// Two parts of the language have no JavaScript counterpart and are left to
// the unit tests: ^ is exponentiation (spec/engine.md §5), and a mustache
// inside a string literal interpolates.

// differentialCases is how many expressions TestDifferential generates.
const differentialCases = 4000

// knownDifferences lists expressions on which weir deliberately differs
// from JavaScript, with the reason.
var knownDifferences = map[string]string{}

// diffPayload is the payload of the generated expressions: testPayload plus
// the values JavaScript treats unexpectedly.
func diffPayload() map[string]any {
	p := testPayload()
	d := p["data"].(map[string]any)
	tenth := 0.1 // a variable: Go would add the constants exactly
	for k, v := range map[string]any{
		"sum": tenth + 0.2, "third": 1.0 / 3, "maxSafe": 9007199254740993.0, "denormal": 5e-324,
		"emptyArr": []any{}, "emptyObj": map[string]any{}, "zero": 0.0, "negZero": math.Copysign(0, -1),
		"emptyStr": "", "blank": "  ", "one": []any{5.0}, "nested": []any{[]any{1.0, 2.0}, 3.0},
		"holes": []any{nil, js.Undefined{}, "x"}, "big": 1e21, "tiny": 1e-7, "frac": 0.1, "t": true, "f": false,
		"numStr": "1e3", "hexStr": "0x1A", "negStr": "-0", "strArr": []any{"a", "b"},
	} {
		d[k] = v
	}
	return p
}

// diffAtoms are the leaves of generated expressions.
var diffAtoms = []string{
	"0", "1", "2", "10", "1.5", "0.1", "0.2", "3", "1e21", "1e-7", "123456789", "0x10", ".5",
	"NaN", "Infinity", "PI", "E", "true", "false", "null", "undefined",
	"''", "'0'", "'1'", "' 12 '", "'abc'", "'10'", "'9'", "'1e3'", "'0x1A'", "'-0'", "'true'", "' '",
	"{{data.obj}}", "{{data.arr}}", "{{data.emptyArr}}", "{{data.emptyObj}}", "{{data.zero}}", "{{data.negZero}}",
	"{{data.s}}", "{{data.emptyStr}}", "{{data.blank}}", "{{data.null}}", "{{data.missing}}", "{{data.early}}",
	"{{data.late}}", "{{data.one}}", "{{data.nested}}", "{{data.num}}", "{{data.int}}", "{{data.holes}}",
	"{{data.big}}", "{{data.tiny}}", "{{data.frac}}", "{{data.t}}", "{{data.f}}", "{{data.numStr}}",
	"{{data.hexStr}}", "{{data.negStr}}", "{{data.strArr}}", "{{data.sum}}", "{{data.third}}", "{{data.maxSafe}}",
	"{{data.denormal}}", "1e300", "-1e-300", "0.000001", "0.0000001", "123e-20", "2e21",
}

var (
	diffBinary = []string{"+", "-", "*", "/", "%", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "&&", "||", "<<", ">>"}
	diffUnary  = []string{"!", "-", "+", "typeof"}
	// diffFuncs are the functions whose results JavaScript defines exactly
	// (the transcendental ones may differ in the last bit between Go's math
	// and V8's).
	diffFuncs = map[string]int{"abs": 1, "ceil": 1, "floor": 1, "round": 1, "trunc": 1, "sqrt": 1,
		"length": 1, "includes": 2, "min": -1, "max": -1}
	diffFuncNames = []string{"abs", "ceil", "floor", "round", "trunc", "sqrt", "length", "includes", "min", "max"}
)

// genExpr builds a random expression of at most depth levels.
func genExpr(r *rand.Rand, depth int) string {
	k := r.IntN(10)
	switch {
	case depth == 0 || k < 3:
		return diffAtoms[r.IntN(len(diffAtoms))]
	case k < 5:
		return diffUnary[r.IntN(len(diffUnary))] + " " + genExpr(r, depth-1)
	case k < 8:
		return genExpr(r, depth-1) + " " + diffBinary[r.IntN(len(diffBinary))] + " " + genExpr(r, depth-1)
	case k < 9:
		return "(" + genExpr(r, depth-1) + ")"
	}
	name := diffFuncNames[r.IntN(len(diffFuncNames))]
	n := diffFuncs[name]
	if n < 0 {
		n = r.IntN(4)
	}
	args := make([]string, n)
	for i := range args {
		args[i] = genExpr(r, depth-1)
	}
	return name + "(" + strings.Join(args, ", ") + ")"
}

func TestDifferential(t *testing.T) {
	type diffCase struct {
		name, src string
		root      any
	}
	var cases []diffCase
	for _, tc := range specTests {
		cases = append(cases, diffCase{"spec/" + tc.name, tc.src, specPayload()})
	}
	for _, tc := range evalTests {
		cases = append(cases, diffCase{"eval/" + tc.name, tc.src, testPayload()})
	}
	r := rand.New(rand.NewPCG(17, 9))
	root := diffPayload()
	for i := range differentialCases {
		cases = append(cases, diffCase{fmt.Sprintf("gen/%d", i), genExpr(r, 3), root})
	}

	type jsCase struct {
		Src  string `json:"src"`
		Vals []any  `json:"vals"`
	}
	var sent []diffCase
	var in []jsCase
	var got []any
	for _, c := range cases {
		src, bodies, ok := jsSource(c.src)
		if !ok || strings.Contains(src, "^") {
			continue
		}
		vals := make([]any, len(bodies))
		for i, b := range bodies {
			ev, err := compileMustache(b)
			if err != nil {
				t.Fatalf("%s: mustache {{%s}}: %v", c.name, b, err)
			}
			v, _ := ev(c.root)
			vals[i] = nodejs.Tag(v)
		}
		sent = append(sent, c)
		in = append(in, jsCase{src, vals})
		got = append(got, weirResult(c.src, c.root))
	}
	var want []any
	nodejs.MustRun(t, "testdata/differential.mjs", map[string]any{"cases": in}, &want)
	if len(want) != len(sent) {
		t.Fatalf("node returned %d results for %d cases", len(want), len(sent))
	}
	differences := 0
	for i, c := range sent {
		diff := cmp.Diff(want[i], got[i])
		if diff == "" {
			continue
		}
		if reason, ok := knownDifferences[c.src]; ok {
			t.Logf("%s: %q differs from JavaScript as Losant's does: %s", c.name, c.src, reason)
			continue
		}
		differences++
		if differences <= 40 {
			t.Errorf("%s: %q: weir and JavaScript differ (-javascript +weir):\n%s", c.name, c.src, diff)
		}
	}
	if differences > 0 {
		t.Errorf("%d of %d expressions differ from JavaScript", differences, len(sent))
	}
	t.Logf("%d expressions compared with JavaScript (%d generated)", len(sent), differentialCases)
}

// weirResult evaluates src with engine/expr and tags the outcome as the
// Node script does.
func weirResult(src string, root any) any {
	e, err := expr.Compile(src, compileMustache)
	if err != nil {
		return map[string]any{"error": "SyntaxError"}
	}
	v, err := e.Eval(root)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	return map[string]any{"ok": nodejs.Tag(v)}
}

// jsSource rewrites an expression for JavaScript: each mustache outside a
// string literal becomes $m[i] (bodies lists them), comments become a
// space. ok is false when a mustache sits inside a string literal, which
// JavaScript has no counterpart for; the caller also skips ^.
func jsSource(src string) (out string, bodies []string, ok bool) {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if strings.HasPrefix(src[i:], "{{") {
				return "", nil, false
			}
			if c == '\\' && i+1 < len(src) {
				b.WriteByte(c)
				i++
				c = src[i]
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(src[i:], "{{"):
			open, close := "{{", "}}"
			if strings.HasPrefix(src[i:], "{{{") {
				open, close = "{{{", "}}}"
			}
			end := strings.Index(src[i+len(open):], close)
			if end < 0 {
				return "", nil, false
			}
			body := src[i+len(open) : i+len(open)+end]
			i += len(open) + end + len(close) - 1
			if strings.HasPrefix(body, "!") {
				if strings.HasPrefix(body, "!--") && !strings.HasSuffix(body, "--") {
					end := strings.Index(src[i+1:], "--}}")
					if end < 0 {
						return "", nil, false
					}
					i += end + len("--}}")
				}
				b.WriteByte(' ')
				continue
			}
			// The same path yields the same object, as in Losant.
			body = strings.TrimSpace(strings.Trim(strings.TrimSpace(body), "~"))
			j := slices.Index(bodies, body)
			if j < 0 {
				j = len(bodies)
				bodies = append(bodies, body)
			}
			fmt.Fprintf(&b, "$m[%d]", j)
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), bodies, true
}
