package js_test

import (
	"math"
	"testing"
	"time"

	"github.com/weirhq/weir/engine/js"
)

func TestStringify(t *testing.T) {
	tests := []struct {
		name   string
		in     any
		indent string
		want   string
	}{
		{"Object", map[string]any{"b": 1.0, "a": "<x>", "u": js.Undefined{}}, "", `{"a":"<x>","b":1}`},
		{"Array", []any{js.Undefined{}, math.NaN(), 1e21, true, nil}, "", `[null,null,1e+21,true,null]`},
		{"Date", time.Date(2016, 2, 19, 22, 26, 0, 0, time.UTC), "", `"2016-02-19T22:26:00.000Z"`},
		{"Indent", map[string]any{"a": []any{1.0}}, "  ", "{\n  \"a\": [\n    1\n  ]\n}"},
	}
	for _, tc := range tests {
		got, ok := js.Stringify(tc.in, tc.indent)
		if !ok || string(got) != tc.want {
			t.Errorf("%s: Stringify(%#v) = %s, %v, want %s", tc.name, tc.in, got, ok, tc.want)
		}
	}
	if _, ok := js.Stringify(js.Undefined{}, ""); ok {
		t.Error("Stringify(undefined) reported a value, want none")
	}
}
