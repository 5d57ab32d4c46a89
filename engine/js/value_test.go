package js_test

import (
	"math"
	"testing"
	"time"

	"github.com/weirhq/weir/engine/js"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {42, "42"}, {-1.5, "-1.5"}, {0.1, "0.1"},
		{123.456789, "123.456789"}, {1e21, "1e+21"}, {1e20, "100000000000000000000"},
		{1.5e-7, "1.5e-7"}, {0.000001, "0.000001"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {5e-324, "5e-324"},
		{0.30000000000000004, "0.30000000000000004"}, {123e-20, "1.23e-18"},
	}
	for _, tc := range tests {
		if got := js.FormatNumber(tc.in); got != tc.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestToString(t *testing.T) {
	date := time.Date(2016, 2, 19, 22, 26, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, "null"},
		{"undefined", js.Undefined{}, "undefined"},
		{"array", []any{44.0, "Goodbye world", false, map[string]any{}, nil, []any{1.0, 2.0}}, "44,Goodbye world,false,[object Object],,1,2"},
		{"object", map[string]any{"a": 1.0}, "[object Object]"},
		{"date", date, "Fri Feb 19 2016 22:26:00 GMT+0000 (Coordinated Universal Time)"},
		{"int", 7, "7"},
	}
	for _, tc := range tests {
		if got := js.ToString(tc.in); got != tc.want {
			t.Errorf("%s: ToString(%v) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestToNumber(t *testing.T) {
	tests := []struct {
		in   any
		want float64
	}{
		{"", 0}, {" 12 ", 12}, {"1e3", 1000}, {".5", 0.5}, {"5.", 5}, {"0x1F", 31}, {"-Infinity", math.Inf(-1)},
		{true, 1}, {nil, 0}, {[]any{}, 0}, {[]any{"7"}, 7},
		{time.UnixMilli(1465790400000), 1465790400000},
	}
	for _, tc := range tests {
		if got := js.ToNumber(tc.in); got != tc.want {
			t.Errorf("ToNumber(%#v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []any{"abc", "inf", "nan", "1_000", "0x1p3", "Inf", js.Undefined{}, map[string]any{}, "1e", "--1"} {
		if got := js.ToNumber(in); !math.IsNaN(got) {
			t.Errorf("ToNumber(%#v) = %v, want NaN", in, got)
		}
	}
}

func TestEquality(t *testing.T) {
	arr := []any{1.0}
	tests := []struct {
		a, b          any
		loose, strict bool
	}{
		{0.0, false, true, false},
		{"", 0.0, true, false},
		{"10", 10.0, true, false},
		{nil, js.Undefined{}, true, false},
		{nil, 0.0, false, false},
		{math.NaN(), math.NaN(), false, false},
		{arr, arr, true, true},
		{[]any{1.0}, []any{1.0}, false, false},
		{[]any{1.0}, "1", true, false},
		{[]any{1.0}, 1.0, true, false},
		{"a", "a", true, true},
		{true, "1", true, false},
		{map[string]any{}, "[object Object]", true, false},
	}
	for _, tc := range tests {
		if got := js.LooseEqual(tc.a, tc.b); got != tc.loose {
			t.Errorf("LooseEqual(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.loose)
		}
		if got := js.StrictEqual(tc.a, tc.b); got != tc.strict {
			t.Errorf("StrictEqual(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.strict)
		}
	}
}

func TestToBooleanAndTypeOf(t *testing.T) {
	falsy := []any{nil, js.Undefined{}, false, 0.0, math.NaN(), ""}
	for _, v := range falsy {
		if js.ToBoolean(v) {
			t.Errorf("ToBoolean(%#v) = true, want false", v)
		}
	}
	truthy := []any{[]any{}, map[string]any{}, "0", -1.0, time.Now()}
	for _, v := range truthy {
		if !js.ToBoolean(v) {
			t.Errorf("ToBoolean(%#v) = false, want true", v)
		}
	}
	types := map[string]any{"undefined": js.Undefined{}, "object": nil, "number": 1.0, "string": "", "boolean": true}
	for want, v := range types {
		if got := js.TypeOf(v); got != want {
			t.Errorf("TypeOf(%#v) = %q, want %q", v, got, want)
		}
	}
}
