package expr_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/weirhq/weir/engine/js"
)

// specPayload is the payload of the examples in templates.md §6.4.
func specPayload() map[string]any {
	return map[string]any{"data": map[string]any{
		"aNumberProp":  42.0,
		"aStringProp":  "Hello world",
		"aBooleanProp": true,
		"aFalsyProp":   0.0,
		"anObject": map[string]any{
			"aNestedArray":  []any{"World Star!", 20.0, map[string]any{}},
			"aNestedNumber": 56.0,
		},
	}}
}

// specTests are the examples of templates.md §6.4 and engine.md §5.
var specTests = []struct {
	name string
	src  string
	want any
}{
	{"StrictFalse", "{{data.aBooleanProp}} === false", false},
	{"LooseZeroFalse", "{{data.aFalsyProp}} == false", true},
	{"StrictZeroFalse", "{{data.aFalsyProp}} === false", false},
	{"NotNotUndefined", "!!{{data.anUndefinedProp}}", false},
	{"Subtract", "{{data.anObject.aNestedNumber}} - {{data.aNumberProp}}", 14.0},
	{"AndObject", "{{data}} && {{data.aBooleanProp}}", true},
	{"NumberGreaterString", "{{data.aNumberProp}} > {{data.aStringProp}}", false},
	{"NumberLessString", "{{data.aNumberProp}} < {{data.aStringProp}}", false},
	{"ArrayIndexDivide", "{{data.anObject.aNestedArray.[1]}} / 5 <= PI", false},
	{"Pow", "pow({{data.aNumberProp}}, {{data.aFalsyProp}}) === 1", true},
	{"HelperLower", "{{lower data.aStringProp}} === 'Hello world'", false},
}

func TestEvalSpecExamples(t *testing.T) {
	for _, tc := range specTests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustEval(t, tc.src, specPayload())
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("Eval(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}

// testPayload is the payload of evalTests.
func testPayload() map[string]any {
	return map[string]any{"data": map[string]any{
		"name":  "Bob",
		"s":     "Hello",
		"num":   "10",
		"abc":   "abc",
		"int":   7,
		"arr":   []any{1.0, 2.0},
		"obj":   map[string]any{"a": 1.0, "b": 2.0},
		"null":  nil,
		"early": time.Date(2016, 2, 19, 22, 26, 0, 0, time.UTC),
		"late":  time.Date(2016, 2, 19, 22, 26, 1, 0, time.UTC),
	}}
}

// evalTests cover the grammar and JavaScript semantics against testPayload.
var evalTests = []struct {
	name string
	src  string
	want any
}{
	// literals and constants
	{"Integer", "42", 42.0},
	{"LeadingDot", ".5", 0.5},
	{"Exponent", "1e3", 1000.0},
	{"NegativeExponent", "25E-2", 0.25},
	{"Hex", "0x1F", 31.0},
	{"Binary", "0b101", 5.0},
	{"Octal", "0o17", 15.0},
	{"HugeNumber", "1e400", math.Inf(1)},
	{"SingleQuoted", `'it\'s'`, "it's"},
	{"DoubleQuoted", `"say \"hi\""`, `say "hi"`},
	{"Escapes", `'\x41\u0042\u{43}\n\t\\'`, "ABC\n\t\\"},
	{"SurrogatePair", `'\uD83D\uDE00'`, "😀"},
	{"UnknownEscape", `'\q'`, "q"},
	{"True", "true", true},
	{"Null", "null", nil},
	{"Undefined", "undefined", js.Undefined{}},
	{"PI", "PI", math.Pi},
	{"E", "E", math.E},
	{"NaN", "NaN", math.NaN()},
	{"Infinity", "-Infinity", math.Inf(-1)},
	// precedence and associativity
	{"MulBeforeAdd", "1 + 2 * 3", 7.0},
	{"Parens", "(1 + 2) * 3", 9.0},
	{"SubLeftAssoc", "10 - 4 - 3", 3.0},
	{"DivLeftAssoc", "8 / 4 / 2", 1.0},
	{"PowRightAssoc", "2 ^ 3 ^ 2", 512.0},
	{"PowBeforeMul", "2 * 3 ^ 2", 18.0},
	{"UnaryBeforePow", "-2 ^ 2", 4.0},
	{"PowNegativeExponent", "2 ^ -1", 0.5},
	{"ShiftAfterAdd", "1 + 1 << 2", 8.0},
	{"RelationalBeforeEquality", "1 < 2 == true", true},
	{"AndBeforeOr", "1 || 2 && 0", 1.0},
	{"NotBeforeAnd", "!0 && !''", true},
	// arithmetic
	{"Remainder", "7 % 3", 1.0},
	{"RemainderNegative", "-7 % 3", -1.0},
	{"RemainderFraction", "5.5 % 2", 1.5},
	{"RemainderByZero", "5 % 0", math.NaN()},
	{"DivideByZero", "1 / 0", math.Inf(1)},
	{"DivideNegativeByZero", "-1 / 0", math.Inf(-1)},
	{"ZeroByZero", "0 / 0", math.NaN()},
	{"PowOneNaN", "1 ^ NaN", math.NaN()},
	{"ShiftLeft", "1 << 3", 8.0},
	{"ShiftRightSigned", "-16 >> 2", -4.0},
	{"ShiftWraps", "1 << 32", 1.0},
	{"ShiftInt32", "2147483647 << 1", -2.0},
	{"PayloadInt", "{{data.int}}", 7.0},
	// + and coercion
	{"ConcatNumberString", "1 + '2'", "12"},
	{"ConcatStringNumber", "{{data.s}} + 1", "Hello1"},
	{"ConcatArray", "{{data.arr}} + ''", "1,2"},
	{"ConcatObject", "{{data.obj}} + 1", "[object Object]1"},
	{"ConcatDate", "{{data.early}} + ''", "Fri Feb 19 2016 22:26:00 GMT+0000 (Coordinated Universal Time)"},
	{"AddBooleans", "true + true", 2.0},
	{"AddNull", "null + 1", 1.0},
	{"AddUndefined", "undefined + 1", math.NaN()},
	{"MultiplyStrings", "'3' * '4'", 12.0},
	{"SubtractString", "{{data.num}} - 1", 9.0},
	{"SubtractDates", "{{data.late}} - {{data.early}}", 1000.0},
	{"UnaryMinusString", "-'5'", -5.0},
	{"UnaryPlusPadded", "+' 12 '", 12.0},
	{"UnaryPlusBad", "+'12px'", math.NaN()},
	// equality
	{"LooseZeroFalse", "0 == false", true},
	{"StrictZeroFalse", "0 === false", false},
	{"LooseEmptyZero", "'' == 0", true},
	{"LooseNullUndefined", "null == undefined", true},
	{"StrictNullUndefined", "null === undefined", false},
	{"LooseNullZero", "null == 0", false},
	{"LooseNumberString", "{{data.num}} == 10", true},
	{"StrictNumberString", "{{data.num}} === 10", false},
	{"NotEqual", "{{data.name}} != 'Bob'", false},
	{"StrictNotEqual", "{{data.name}} !== 'bob'", true},
	{"NaNNotEqualItself", "NaN == NaN", false},
	{"MissingIsUndefined", "{{data.missing}} === undefined", true},
	{"NullIsNull", "{{data.null}} === null", true},
	// relational
	{"StringGreaterNumber", `"10" > 5`, true},
	{"NumberGreaterNonNumeric", `42 > "abc"`, false},
	{"NumberLessNonNumeric", `42 < "abc"`, false},
	{"StringsLexicographic", `"10" < "9"`, true},
	{"StringsOrder", "{{data.abc}} < 'abd'", true},
	{"StringsUTF16Order", "'\uFF61' < '\U0001F600'", false},
	{"NaNLess", "NaN < 1", false},
	{"NaNGreaterOrEqual", "NaN >= 1", false},
	{"NaNLessOrEqual", "1 <= NaN", false},
	{"UndefinedCompare", "{{data.missing}} >= 0", false},
	{"NullGreaterOrEqualZero", "null >= 0", true},
	{"DatesByEpoch", "{{data.early}} < {{data.late}}", true},
	{"DateVersusNumber", "{{data.early}} > 1455920759999", true},
	{"DateLessOrEqualItself", "{{data.early}} <= {{data.early}}", true},
	{"ArrayCompare", "{{data.arr}} < '2'", true},
	// unary and logical
	{"NotNot", "!!{{data.s}}", true},
	{"NotEmptyArray", "!{{data.arr}}", false},
	{"TypeofNumber", "typeof 1", "number"},
	{"TypeofNull", "typeof null", "object"},
	{"TypeofObject", "typeof {{data.obj}} === 'object'", true},
	{"TypeofMissing", "typeof {{data.missing}}", "undefined"},
	{"OrReturnsValue", "0 || 'x'", "x"},
	{"OrChainLast", "'' || 0 || null", nil},
	{"AndReturnsValue", "1 && 'y'", "y"},
	{"AndReturnsFalsy", "{{data.arr}} && 0 && 1", 0.0},
	// functions
	{"Abs", "abs(-3)", 3.0},
	{"Ceil", "ceil(1.2)", 2.0},
	{"Floor", "floor(-1.5)", -2.0},
	{"RoundHalfUp", "round(2.5)", 3.0},
	{"RoundNegativeHalf", "round(-2.5)", -2.0},
	{"RoundBelowHalf", "round(0.49999999999999994)", 0.0},
	{"Trunc", "trunc(-1.7)", -1.0},
	{"Sqrt", "sqrt(16)", 4.0},
	{"SqrtNegative", "sqrt(-1)", math.NaN()},
	{"PowFunc", "pow(2, 10)", 1024.0},
	{"Log", "log(E)", 1.0},
	{"Log10", "log10(1000)", 3.0},
	{"Exp", "exp(0)", 1.0},
	{"Atan2", "atan2(1, 1)", math.Pi / 4},
	{"Cos", "cos(0)", 1.0},
	{"Tanh", "tanh(0)", 0.0},
	{"Min", "min(3, 1, 2)", 1.0},
	{"Max", "max(3, '7', 2)", 7.0},
	{"MaxNone", "max()", math.Inf(-1)},
	{"MaxNaN", "max(1, 'a')", math.NaN()},
	{"MinNaNAfterMinusInfinity", "min(-Infinity, NaN)", math.NaN()},
	{"MaxNaNAfterInfinity", "max(Infinity, 'a', 1)", math.NaN()},
	{"MaxCeil", "max(ceil(7 / 3), 1)", 3.0},
	{"LengthArray", "length({{data.arr}}) === 2", true},
	{"LengthObject", "length({{data.obj}})", 2.0},
	{"LengthString", "length('héllo')", 5.0},
	{"LengthUTF16", `length('😀')`, 2.0},
	{"LengthNumber", "length(5)", js.Undefined{}},
	{"IncludesArray", "includes({{data.arr}}, 2)", true},
	{"IncludesArrayStrict", "includes({{data.arr}}, '2')", false},
	{"IncludesString", "includes({{data.s}}, 'ell')", true},
	{"IncludesOther", "includes(5, 5)", false},
	// mustaches
	{"Spaces", "{{ data.name }} === 'Bob'", true},
	{"Tildes", "{{~data.name~}} === 'Bob'", true},
	{"TripleStash", "{{{data.name}}} === 'Bob'", true},
	{"Multiline", "{{data.name}} ===\n  'Bob' &&\n  {{data.s}}", "Hello"},
	{"HelperValue", "{{lower data.s}}", "hello"},
	{"Comment", "{{!-- note --}} 1 + 1", 2.0},
	{"InStringLiteral", "'{{data.name}}-x' === 'Bob-x'", true},
	{"InStringTripleStash", `"a{{{data.name}}}b"`, "aBobb"},
	{"InStringMissing", "'[{{data.missing}}]'", "[]"},
	{"InStringArray", "'{{data.arr}}'", "1,2"},
	{"InStringEscaped", `'\{{data.name}}'`, "{{data.name}}"},
	{"QuotesInBody", "{{lower data.s}} + \"{{lower data.name}}\"", "hellobob"},
}

func TestEval(t *testing.T) {
	for _, tc := range evalTests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustEval(t, tc.src, testPayload())
			if diff := cmp.Diff(got, tc.want, cmpopts.EquateNaNs(), cmpopts.EquateApprox(0, 1e-15)); diff != "" {
				t.Errorf("Eval(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}

func TestEvalNegativeZero(t *testing.T) {
	for _, src := range []string{"round(-0.4)", "-0", "ceil(-0.5)", "-7 % 7"} {
		got, ok := mustEval(t, src, nil).(float64)
		if !ok || got != 0 || !math.Signbit(got) {
			t.Errorf("Eval(%q) = %v, want -0", src, got)
		}
	}
}

func TestString(t *testing.T) {
	const src = "{{data.value}} > 50"
	if got := mustCompile(t, src).String(); got != src {
		t.Errorf("String() = %q, want %q", got, src)
	}
}
