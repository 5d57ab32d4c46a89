package nodes

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
)

// TestJSONParseMatchesGoja parses each input with the sandbox's JSON.parse
// and with goja's own: same values (key order included), same errors.
func TestJSONParseMatchesGoja(t *testing.T) {
	inputs := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, ` [ 1 , -2.5e3 , 0 , -0, 1E+2, 3.25e-2 ] `, `"plain"`, `""`, `{}`, `[]`,
		`{"b":1,"a":2,"b":3}`, `{"__proto__":{"x":1}}`, `{"10":1,"2":2,"x":3}`,
		`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`, `"lone \ud800 surrogate"`, `"héllo wörld"`, "\"bad \xff utf8\"",
		`{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `1e400`, `-1e400`,
		`tru`, `nul`, `"unterminated`, "\"ctl \x01\"", `[`, `{`, ``, `   `, `1 2`, `{"a":[{"b":[{"c":null}]}]}`,
		strings.Repeat("[", 20) + strings.Repeat("]", 20), `123456789012345678901234567890`, `"\u0000"`,
	}
	fresh := goja.New()
	sb := newSandbox(&engine.Env{}, "fn", "", DefaultFunctionLimits)
	run := func(vm *goja.Runtime, in string) string {
		t.Helper()
		vm.Set("input", in)
		v, err := vm.RunString(`(function () {
			try {
				var v = JSON.parse(input);
				var own = v !== null && typeof v === 'object' ? Object.getOwnPropertyNames(v).join(',') : '';
				var proto = v !== null && typeof v === 'object' ? Object.getPrototypeOf(v) === Object.prototype || Array.isArray(v) : '';
				return 'ok ' + JSON.stringify(v) + ' keys ' + own + ' proto ' + proto + ' ' + typeof v;
			} catch (e) { return 'error ' + e.name + ': ' + e.message; }
		})()`)
		if err != nil {
			t.Fatal(err)
		}
		return v.String()
	}
	for _, in := range inputs {
		want, got := run(fresh, in), run(sb.vm, in)
		if got != want {
			t.Errorf("JSON.parse(%q):\n got %s\nwant %s", in, got, want)
		}
	}
	// Arguments the fast path leaves alone.
	for _, src := range []string{`JSON.parse('{"a":1}', function (k, v) { return typeof v === 'number' ? v + 1 : v; }).a`,
		`JSON.parse(5)`, `JSON.parse({ toString: function () { return '[7]'; } })[0]`, `JSON.parse.name + JSON.parse.length`} {
		want, err1 := fresh.RunString(src)
		got, err2 := sb.vm.RunString(src)
		if err1 != nil || err2 != nil || want.String() != got.String() {
			t.Errorf("%s: got %v (%v), want %v (%v)", src, got, err2, want, err1)
		}
	}
}

// BenchmarkJSONParse parses the S4 bench's 100 readings with goja's
// JSON.parse and with the sandbox's.
func BenchmarkJSONParse(b *testing.B) {
	var items []string
	for i := range 100 {
		items = append(items, `{"group":"g`+string(rune('0'+i%5))+`","id":`+strings.Repeat("1", 1+i%3)+`,"ts":1700000000000,"value":12.333333333333334}`)
	}
	text := "[" + strings.Join(items, ",") + "]"
	for _, tc := range []struct {
		name string
		vm   *goja.Runtime
	}{{"goja", goja.New()}, {"sandbox", newSandbox(&engine.Env{}, "fn", "", DefaultFunctionLimits).vm}} {
		b.Run(tc.name, func(b *testing.B) {
			tc.vm.Set("text", text)
			fn, err := tc.vm.RunString(`(function () { return JSON.parse(text).length; })`)
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(fn)
			b.ReportAllocs()
			for b.Loop() {
				if v, err := call(goja.Undefined()); err != nil || v.ToInteger() != 100 {
					b.Fatal(v, err)
				}
			}
		})
	}
}
