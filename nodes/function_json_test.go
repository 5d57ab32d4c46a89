package nodes

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
)

// TestJSONParseMatchesGoja parses each input with the sandbox's JSON.parse,
// on a fresh and on a pooled runtime, and with goja's own: same values (key
// order and property attributes included), same errors.
func TestJSONParseMatchesGoja(t *testing.T) {
	inputs := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, ` [ 1 , -2.5e3 , 0 , -0, 1E+2, 3.25e-2 ] `, `"plain"`, `""`, `{}`, `[]`,
		`{"b":1,"a":2,"b":3}`, `{"__proto__":{"x":1}}`, `{"10":1,"2":2,"x":3}`,
		`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`, `"lone \ud800 surrogate"`, `"héllo wörld"`, "\"bad \xff utf8\"",
		`{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `1e400`, `-1e400`,
		`tru`, `nul`, `"unterminated`, "\"ctl \x01\"", `[`, `{`, ``, `   `, `1 2`, `{"a":[{"b":[{"c":null}]}]}`,
		strings.Repeat("[", 20) + strings.Repeat("]", 20), `123456789012345678901234567890`, `"\u0000"`,
		// Keys Object.prototype has, alone, repeated and mixed with others.
		`{"toString":1,"valueOf":2,"hasOwnProperty":3,"constructor":4,"isPrototypeOf":5,"propertyIsEnumerable":6,` +
			`"toLocaleString":7,"__defineGetter__":8,"__defineSetter__":9,"__lookupGetter__":10,"__lookupSetter__":11}`,
		`{"a":1,"toString":2,"a":3,"toString":4,"b":5}`, `{"__proto__":1,"x":2,"__proto__":{"y":3}}`,
		`[{"__proto__":null},{"__proto__":[1]},{"constructor":{"prototype":{"z":1}}}]`,
		`{"b":{"k":1},"a":{"k":2},"b":{"k":3}}`, `{"1":"a","0":"b","x":"c","1":"d"}`,
		`[{"g":"same","h":"same"},{"g":"same"},"same","same"]`, `["a\u0062","ab","ab"]`,
		`[[1,[2,[3,[]]],4],[],[[5]]]`, `{"a":[],"b":[{}],"c":[[],[[]]]}`,
		`{"toString":{"toString":{"__proto__":{"toString":"x"}}}}`,
		// An array past the scratch space a runtime keeps, of arrays.
		"[" + strings.Repeat(`[1,["a",{"b":[2,3]}]],`, maxScratch) + `0]`,
	}
	fresh := goja.New()
	sandboxes := map[string]*goja.Runtime{"fresh": newSandbox(&engine.Env{}, "fn", "", DefaultFunctionLimits).vm}
	pooled, err := pooledSandbox(DefaultFunctionLimits)
	if err != nil {
		t.Fatal(err)
	}
	sandboxes["pooled"] = pooled.vm
	const describe = `(function (input) {
		'use strict';
		function shape(v) {
			if (v === null || typeof v !== 'object') return typeof v;
			var proto = Object.getPrototypeOf(v) === (Array.isArray(v) ? Array.prototype : Object.prototype);
			return (proto ? '' : 'PROTO ') + '{' + Object.getOwnPropertyNames(v).map(function (k) {
				var d = Object.getOwnPropertyDescriptor(v, k);
				return k + (d.writable ? 'w' : '') + (d.enumerable ? 'e' : '') + (d.configurable ? 'c' : '') + ':' + shape(v[k]);
			}).join(',') + '}';
		}
		try {
			var v = JSON.parse(input);
			return 'ok ' + JSON.stringify(v) + ' shape ' + shape(v);
		} catch (e) { return 'error ' + e.name + ': ' + e.message; }
	})`
	run := func(vm *goja.Runtime, in string) string {
		t.Helper()
		fn, err := vm.RunString(describe)
		if err != nil {
			t.Fatal(err)
		}
		call, _ := goja.AssertFunction(fn)
		v, err := call(goja.Undefined(), vm.ToValue(in))
		if err != nil {
			t.Fatal(err)
		}
		return v.String()
	}
	for _, in := range inputs {
		want := run(fresh, in)
		for name, vm := range sandboxes {
			if got := run(vm, in); got != want {
				t.Errorf("%s JSON.parse(%q):\n got %s\nwant %s", name, in, got, want)
			}
		}
	}
	// Arguments the fast path leaves alone.
	for _, src := range []string{`JSON.parse('{"a":1}', function (k, v) { return typeof v === 'number' ? v + 1 : v; }).a`,
		`JSON.parse(5)`, `JSON.parse({ toString: function () { return '[7]'; } })[0]`, `JSON.parse.name + JSON.parse.length`} {
		want, err1 := fresh.RunString(src)
		for name, vm := range sandboxes {
			got, err2 := vm.RunString(src)
			if err1 != nil || err2 != nil || want.String() != got.String() {
				t.Errorf("%s %s: got %v (%v), want %v (%v)", name, src, got, err2, want, err1)
			}
		}
	}
}

// TestJSONParseNumbersMatchGoja parses numbers with the sandbox's JSON.parse
// and with goja's own: the same float64, bit for bit (-0 included).
func TestJSONParseNumbersMatchGoja(t *testing.T) {
	numbers := []string{"0", "-0", "-0.0", "0e5", "-0e-5", "1", "-1", "255", "256", "-256", "-257", "1e21", "1e+21", "1E21",
		"0.1", "0.2", "0.30000000000000004", "5e-324", "4.9e-324", "2e-324", "1.7976931348623157e308", "2.2250738585072014e-308",
		"123456789012345", "-123456789012345", "999999999999999", "1234567890123456", "9007199254740991", "9007199254740992",
		"9007199254740993", "-9007199254740993", "12345678901234567890", "1700000000000", "12.333333333333334", "4.35",
		"1e-7", "100", "1E2", "1e+2", "1.0", "10.50", "0.000001", "123456789.123456789", "1.00000000000000011102230246251565404236316680908203125",
		"7.2057594037927933e+16", "8.98846567431158e307", "00", "-", "1e309", "-1e309"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		numbers = append(numbers, strconv.FormatInt(rnd.Int64N(1<<62)>>rnd.UintN(62), 10),
			strconv.FormatFloat(rnd.NormFloat64()*math.Pow(10, float64(rnd.IntN(40)-20)), 'g', -1, 64),
			strconv.FormatFloat(rnd.Float64()*1000, 'f', rnd.IntN(20), 64))
	}
	fresh := goja.New()
	pooled, err := pooledSandbox(DefaultFunctionLimits)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(vm *goja.Runtime, text string) (uint64, bool) {
		t.Helper()
		fn, err := vm.RunString(`(function (text) {
			var v = JSON.parse(text);
			return typeof v !== 'object' ? v : Array.isArray(v) ? v[0] : v.n;
		})`)
		if err != nil {
			t.Fatal(err)
		}
		call, _ := goja.AssertFunction(fn)
		v, err := call(goja.Undefined(), vm.ToValue(text))
		if err != nil {
			return 0, false
		}
		return math.Float64bits(v.ToFloat()), true
	}
	for _, n := range numbers {
		for _, text := range []string{n, "[" + n + "]", `{"n":` + n + `}`} {
			want, wantOK := parse(fresh, text)
			got, gotOK := parse(pooled.vm, text)
			if got != want || gotOK != wantOK {
				t.Errorf("JSON.parse(%s) = %x (ok %v), want %x (ok %v)", text, got, gotOK, want, wantOK)
			}
		}
	}
}

// s4Items is the JSON text of the S4 bench's 100 readings, as it sends it.
func s4Items() string {
	items := make([]map[string]any, 100)
	for i := range items {
		items[i] = map[string]any{"id": i, "group": fmt.Sprintf("g%d", i%5), "value": float64(i*37%101) / 3, "ts": 1700000000000 + i}
	}
	text, _ := json.Marshal(items)
	return string(text)
}

// BenchmarkJSONParse parses the S4 bench's 100 readings with goja's
// JSON.parse and with the sandbox's, on a fresh and on a pooled runtime.
func BenchmarkJSONParse(b *testing.B) {
	text := s4Items()
	pooled, err := pooledSandbox(DefaultFunctionLimits)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		vm   *goja.Runtime
	}{{"goja", goja.New()}, {"fresh", newSandbox(&engine.Env{}, "fn", "", DefaultFunctionLimits).vm}, {"pooled", pooled.vm}} {
		b.Run(tc.name, func(b *testing.B) {
			fn, err := tc.vm.RunString(`(function (text) { return JSON.parse(text).length; })`)
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(fn)
			arg := tc.vm.ToValue(text)
			b.ReportAllocs()
			for b.Loop() {
				if v, err := call(goja.Undefined(), arg); err != nil || v.ToInteger() != 100 {
					b.Fatal(v, err)
				}
			}
		})
	}
}
