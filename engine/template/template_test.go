package template_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/template"
)

// payload is the render root shared by the table tests.
func payload() map[string]any {
	return map[string]any{
		"time": time.Date(2016, 2, 19, 22, 26, 0, 0, time.UTC),
		"data": map[string]any{
			"name":   "Alice",
			"html":   `<a href="x">'&'</a>` + "`=",
			"n":      42.0,
			"zero":   0.0,
			"neg":    -1.5,
			"big":    1e21,
			"small":  1e-7,
			"nan":    math.NaN(),
			"inf":    math.Inf(1),
			"t":      true,
			"f":      false,
			"null":   nil,
			"undef":  js.Undefined{},
			"empty":  "",
			"arr":    []any{44.0, "Goodbye world", false, map[string]any{}, nil, js.Undefined{}, []any{1.0, 2.0}},
			"nums":   []any{1.0, 2.0, 3.0},
			"none":   []any{},
			"obj":    map[string]any{"b": 2.0, "a": 1.0},
			"eobj":   map[string]any{},
			"s":      "Hello World",
			"type":   `say "hi"`,
			"key":    "name",
			"length": 7.0,
			"a key":  "spaced",
			"users": []any{
				map[string]any{"name": "Ann", "tags": []any{"x", "y"}},
				map[string]any{"name": "Bob", "tags": []any{}},
			},
			"kv": []any{
				map[string]any{"key": "temp", "value": 21.5},
				map[string]any{"key": "hum", "value": 40.0},
			},
		},
	}
}

type renderCase struct {
	name string
	src  string
	want string
}

// printingCases cover §3.2: how values print.
var printingCases = []renderCase{
	{"string", "{{data.name}}", "Alice"},
	{"integer", "{{data.n}}", "42"},
	{"zero", "{{data.zero}}", "0"},
	// A lone literal names a property of the context, as in handlebars.js.
	{"number literal names a property", "{{#with data.nums}}{{0}}{{/with}}", "1"},
	{"negative", "{{data.neg}}", "-1.5"},
	{"1e21", "{{data.big}}", "1e+21"},
	{"1e-7", "{{data.small}}", "1e-7"},
	{"NaN", "{{data.nan}}", "NaN"},
	{"Infinity", "{{data.inf}}", "Infinity"},
	{"true", "{{data.t}}", "true"},
	{"false", "{{data.f}}", "false"},
	{"null", "[{{data.null}}]", "[]"},
	{"undefined", "[{{data.undef}}]", "[]"},
	{"missing", "[{{data.nope.deeper}}]", "[]"},
	{"array", "{{data.arr}}", "44,Goodbye world,false,[object Object],,,1,2"},
	{"object", "{{data.obj}}", "[object Object]"},
	{"date", "{{time}}", "Fri Feb 19 2016 22:26:00 GMT+0000 (Coordinated Universal Time)"},
	{"index", "{{data.nums.[1]}}", "2"},
	{"string index", "{{data.name.[1]}}", "l"},
	{"array length", "{{data.nums.length}}", "3"},
	{"string length", "{{data.name.length}}", "5"},
	{"segment literal", "{{data.[a key]}}", "spaced"},
	{"slash separator", "{{data/name}}", "Alice"},
	{"this prefix", "{{this.data.name}}", "Alice"},
	{"helper name shadows key", "[{{data.length}}] [{{length}}]", "[7] []"},
	{"bracket key not helper", "{{#with data}}{{[length]}}{{/with}}", "7"},
	{"string literal names a property", `{{#with data}}{{"name"}} [{{true}}]{{/with}}`, "Alice []"},
	{"literal text", "no mustaches", "no mustaches"},
	{"escaped mustache", `\{{data.name}} {{data.name}}`, "{{data.name}} Alice"},
	{"escaped backslash", `\\{{data.name}}`, `\Alice`},
	{"two escaped mustaches", `\{{a}}\{{b}} \\{{data.n}}`, `{{a}}{{b}} \42`},
	{"brace after else", "{{#if data.f}}x{{else}}}{{/if}}", "}"},
	{"comment", "a{{! hidden }}b{{!-- {{x}} --}}c", "abc"},
}

// escapingCases cover §3.4: HTML escaping.
var escapingCases = []renderCase{
	{"escaped", "{{data.html}}", "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;&#x60;&#x3D;"},
	{"triple stash", "{{{data.html}}}", `<a href="x">'&'</a>` + "`="},
	{"ampersand raw", "{{&data.html}}", `<a href="x">'&'</a>` + "`="},
	{"helper output escaped", "{{lower data.html}}", "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;&#x60;&#x3D;"},
	{"jsonEncode safe", "{{jsonEncode data.type}}", `"say \"hi\""`},
	{"jsonEncode triple", "{{{jsonEncode data.type}}}", `"say \"hi\""`},
	{"array element escaped", "{{data.arr.[1]}}", "Goodbye world"},
}

// blockCases cover §4 and the Handlebars built-ins.
var blockCases = []renderCase{
	{"if true", "{{#if data.t}}y{{else}}n{{/if}}", "y"},
	{"if zero", "{{#if data.zero}}y{{else}}n{{/if}}", "n"},
	{"if includeZero", "{{#if data.zero includeZero=true}}y{{else}}n{{/if}}", "y"},
	{"if empty string", "{{#if data.empty}}y{{else}}n{{/if}}", "n"},
	{"if empty array", "{{#if data.none}}y{{else}}n{{/if}}", "n"},
	{"if empty object", "{{#if data.eobj}}y{{else}}n{{/if}}", "y"},
	{"if null", "{{#if data.null}}y{{else}}n{{/if}}", "n"},
	{"if missing", "{{#if data.nope}}y{{else}}n{{/if}}", "n"},
	{"if NaN", "{{#if data.nan}}y{{else}}n{{/if}}", "n"},
	{"if date", "{{#if time}}y{{else}}n{{/if}}", "y"},
	{"else if chain", "{{#if data.zero}}a{{else if data.f}}b{{else if data.n}}c{{else}}d{{/if}}", "c"},
	{"caret else", "{{#if data.f}}a{{^}}b{{/if}}", "b"},
	{"unless", "{{#unless data.f}}y{{else}}n{{/unless}}", "y"},
	{"each array", "{{#each data.nums}}{{@index}}={{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}", "0=1F;1=2;2=3L;"},
	{"each object", "{{#each data.obj}}{{@key}}={{.}},{{/each}}", "a=1,b=2,"},
	{"each else", "{{#each data.none}}x{{else}}empty{{/each}}", "empty"},
	{"each missing", "{{#each data.nope}}x{{else}}none{{/each}}", "none"},
	{"each parent", "{{#each data.nums}}{{../data.name}}{{/each}}", "AliceAliceAlice"},
	{"each root", "{{#each data.nums}}{{@root.data.n}}{{/each}}", "424242"},
	{"nested each data", "{{#each data.users}}{{#each tags}}{{@../index}}{{@index}}{{this}} {{/each}}{{/each}}", "00x 01y "},
	{"nested each parent", "{{#each data.users}}{{#each tags}}{{../name}}{{/each}}{{/each}}", "AnnAnn"},
	{"with", "{{#with data.obj}}{{a}}{{b}}{{../data.name}}{{/with}}", "12Alice"},
	{"with else", "{{#with data.nope}}x{{else}}no{{/with}}", "no"},
	{"section object", "{{#data.obj}}{{a}}{{/data.obj}}", "1"},
	{"section array", "{{#data.nums}}{{this}}{{/data.nums}}", "123"},
	{"inverted section", "{{^data.none}}empty{{/data.none}}", "empty"},
	{"section closed as written", "{{#data.arr.[6]}}{{.}}{{/data.arr.[6]}} {{#data.[nums]}}{{.}}{{/data.nums}}", "12 123"},
	{"section on this", "{{#with data}}{{#this}}{{n}}{{/this}}{{/with}}", "42"},
	{"parent from an undefined context", "{{#each data.arr}}{{#if true}}{{../data.name}}{{/if}},{{/each}}",
		"Alice,Alice,Alice,Alice,Alice,,Alice,"},
	{"each else on a null context", "{{#each data.arr}}{{#each data.none}}{{else}}[{{this}}]{{/each}}{{/each}}",
		"[44][Goodbye world][false][[object Object]][[object Object]][[object Object]][1,2]"},
	{"if on a null context", "{{#each data.arr}}{{#if true}}[{{this}}]{{/if}}{{/each}}",
		"[44][Goodbye world][false][[object Object]][[object Object]][[object Object]][1,2]"},
	{"eq number", "{{#eq data.n 42}}y{{else}}n{{/eq}}", "y"},
	{"eq strict", "{{#eq data.n '42'}}y{{else}}n{{/eq}}", "n"},
	{"eq undefined", "{{#eq data.nope undefined}}y{{else}}n{{/eq}}", "y"},
	{"eq null", "{{#eq data.null null}}y{{else}}n{{/eq}}", "y"},
	{"ne", "{{#ne data.name 'Bob'}}y{{else}}n{{/ne}}", "y"},
	{"gt", "{{#gt data.n 21}}y{{else}}n{{/gt}}", "y"},
	{"gt numeric string", "{{#gt '10' 5}}y{{else}}n{{/gt}}", "y"},
	{"gt strings", "{{#gt '10' '5'}}y{{else}}n{{/gt}}", "n"},
	{"gt NaN", "{{#gt data.name 5}}y{{else}}n{{/gt}}", "n"},
	{"gte", "{{#gte data.n 42}}y{{else}}n{{/gte}}", "y"},
	{"lt", "{{#lt data.neg 0}}y{{else}}n{{/lt}}", "y"},
	{"lte", "{{#lte data.n 41}}y{{else}}n{{/lte}}", "n"},
	{"lt dates", "{{#lt time data.n}}y{{else}}n{{/lt}}", "n"},
	{"match", `{{#match data.s "^Hel+o"}}y{{else}}n{{/match}}`, "y"},
	{"match path pattern", `{{#match data.s data.name}}y{{else}}n{{/match}}`, "n"},
	{"includes array", "{{#includes data.nums 2}}y{{else}}n{{/includes}}", "y"},
	{"includes string", "{{#includes data.s 'World'}}y{{else}}n{{/includes}}", "y"},
	{"comparison inline", "{{eq data.n 42}} {{gt 1 2}}", "true false"},
	{"comparison subexpression", "{{#if (eq data.name 'Alice')}}y{{/if}}", "y"},
	{"lookup", "{{lookup data data.key}} {{lookup data.nums 0}} {{lookup (lookup data 'obj') 'b'}}", "Alice 1 2"},
	{"lookup on falsy", "{{lookup data.f 'x'}} {{lookup data.zero 'x'}} [{{lookup data.empty 'length'}}] {{lookup data.nan 'x'}}", "false 0 [] NaN"},
	{"subexpression math", "{{add (multiply data.n 1.8) 32}}", "107.60000000000001"},
	{"hash arg", "{{jsonEncode (obj a=1 b='x')}}", `{"a":1,"b":"x"}`},
}

// whitespaceCases cover ~ and standalone lines.
var whitespaceCases = []renderCase{
	{"tilde", "a  {{~data.n~}}  b", "a42b"},
	{"tilde block", "[ {{~#if data.t~}} y {{~/if~}} ]", "[y]"},
	{"tilde comment", "a {{~! c ~}} b", "ab"},
	{"standalone block", "a\n  {{#if data.t}}\n  y\n  {{/if}}\nb", "a\n  y\nb"},
	{"standalone else", "{{#if data.f}}\nx\n{{else}}\ny\n{{/if}}\n", "y\n"},
	{"standalone comment", "a\n{{! c }}\nb", "a\nb"},
	{"inline not standalone", "a {{#if data.t}}y{{/if}} b", "a y b"},
	{"mustache keeps line", "a\n{{data.n}}\nb", "a\n42\nb"},
	// A tag is standalone only when it is alone on its line as written:
	// ~ trimming does not make it so (handlebars.js).
	{"tilde does not make standalone", "{{#if data.f}} {{~/if}}\n", "\n"},
	{"two tags on a line", "{{~#if data.zero~}}\t{{/if}}\n", "\n"},
	{"comment after a mustache", "{{data.n}} {{! c }}", "42 "},
	{"three tags on a line", "\n{{#each data.obj}} {{/each}}{{! c }}", "\n  "},
	// handlebars.js judges the close of an else-if chain by its first
	// branch's end, and {{~/if}} trims every branch after the first.
	{"else if chain close", "{{#if data.f}}\na\n{{else if data.zero}}\nb\n{{else}}c  {{/if}}\nx", "c  x"},
	{"else if chain tilde close", "{{#if data.f}}a{{else if data.t}}b  {{else}}c  {{~/if}}", "b"},
}

func TestRender(t *testing.T) {
	groups := map[string][]renderCase{
		"printing": printingCases, "escaping": escapingCases,
		"blocks": blockCases, "whitespace": whitespaceCases,
	}
	for group, cases := range groups {
		for _, tc := range cases {
			t.Run(group+"/"+tc.name, func(t *testing.T) {
				got := mustRender(t, tc.src, payload())
				if got != tc.want {
					t.Errorf("Render(%q) = %q, want %q", tc.src, got, tc.want)
				}
			})
		}
	}
}

// mustRender parses and renders src, failing the test on error.
func mustRender(t *testing.T, src string, root any) string {
	t.Helper()
	tpl, err := template.Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", src, err)
	}
	got, err := tpl.Render(root)
	if err != nil {
		t.Fatalf("Render(%q) error: %v", src, err)
	}
	return got
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // substring of the error
	}{
		{"unclosed mustache", "{{data.x", "unclosed mustache"},
		{"unclosed block", "{{#if a}}x", "not closed"},
		{"mismatched close", "{{#if a}}x{{/each}}", "does not match"},
		{"stray close", "x{{/if}}", "unexpected {{/if}}"},
		{"unknown helper", "{{frobnicate data.x}}", `unknown helper "frobnicate"`},
		{"unknown helper in subexpression", "{{add (frob 1) 2}}", `unknown helper "frob"`},
		{"unsupported helper", "{{dashboardUrl 'x'}}", "not supported yet"},
		{"unsupported template helper", "{{template data.s}}", "not supported yet"},
		{"partial", "{{> header}}", "partials are not supported"},
		{"if inline", "{{if data.x}}", "must be used as a block"},
		{"if arity", "{{#if a b}}x{{/if}}", "exactly one argument"},
		{"bad path", "{{a/../b}}", "invalid path"},
		{"unterminated string", `{{lower "abc}}`, "unclosed mustache"},
		{"empty mustache", "{{}}", "empty expression"},
		{"block params", "{{#each a as |x|}}{{/each}}", "block params"},
		{"unclosed comment", "{{!-- x }}", "unclosed comment"},
		{"literal called", `{{"a" 1}}`, "literal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := template.Parse(tc.src)
			if err == nil {
				t.Fatalf("Parse(%q) error = nil, want %q", tc.src, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestRenderJSON(t *testing.T) {
	tests := []struct {
		name string
		src  string
		root any
		want any
	}{
		{"jsonEncode string", `{ "type": {{jsonEncode data.type}} }`, payload(), map[string]any{"type": `say "hi"`}},
		{"block key", `{ {{#gt data.n 21}}"high"{{else}}"low"{{/gt}}: {{data.n}} }`, payload(), map[string]any{"high": 42.0}},
		{"block key low", `{ {{#gt data.n 21}}"high"{{else}}"low"{{/gt}}: {{data.n}} }`,
			map[string]any{"data": map[string]any{"n": 3.0}}, map[string]any{"low": 3.0}},
		{"object", `{"o": {{jsonEncode data.obj}}, "d": {{jsonEncode time}}}`, payload(),
			map[string]any{"o": map[string]any{"a": 1.0, "b": 2.0}, "d": "2016-02-19T22:26:00.000Z"}},
		{"quoted", `{"name": "{{data.name}}", "ok": {{data.t}}}`, payload(), map[string]any{"name": "Alice", "ok": true}},
		{"lone number", "{{data.nums.[1]}}", payload(), 2.0},
		{"array", "[{{#each data.nums}}{{this}}{{#unless @last}},{{/unless}}{{/each}}]", payload(), []any{1.0, 2.0, 3.0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := template.Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.src, err)
			}
			got, err := tpl.RenderJSON(tc.root)
			if err != nil {
				t.Fatalf("RenderJSON(%q) error: %v", tc.src, err)
			}
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("RenderJSON(%q) mismatch (-got +want):\n%s", tc.src, diff)
			}
		})
	}
}

func TestRenderJSONInvalid(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"bare string", "{{data.s}}"},
		{"empty", "{{data.nope}}"},
		{"unquoted string", `{"t": {{data.s}}}`},
		{"trailing", `{"a": 1} x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := template.Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.src, err)
			}
			_, err = tpl.RenderJSON(payload())
			if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
				t.Errorf("RenderJSON(%q) error = %v, want a not valid JSON error", tc.src, err)
			}
		})
	}
}

func TestLiteral(t *testing.T) {
	tests := []struct {
		src    string
		want   string
		wantOK bool
	}{
		{"plain text", "plain text", true},
		{"", "", true},
		{"a {{b}}", "a {{b}}", false},
		{"{{! only a comment }}", "{{! only a comment }}", false},
	}
	for _, tc := range tests {
		tpl, err := template.Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%q) error: %v", tc.src, err)
		}
		got, ok := tpl.Literal()
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Parse(%q).Literal() = %q, %v, want %q, %v", tc.src, got, ok, tc.want, tc.wantOK)
		}
		if s := tpl.String(); s != tc.src {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.src, s, tc.src)
		}
	}
}

func TestTemplateValue(t *testing.T) {
	tests := []struct {
		src    string
		wantOK bool
		want   any
	}{
		{"{{data.nums}}", true, []any{1.0, 2.0, 3.0}},
		{"  {{{data.obj}}}\n", true, map[string]any{"a": 1.0, "b": 2.0}},
		{"{{length data.nums}}", true, 3.0},
		{"{{data.nope}}", true, js.Undefined{}},
		{"x {{data.nums}}", false, nil},
		{"{{data.n}}{{data.n}}", false, nil},
		{"{{#if data.t}}x{{/if}}", false, nil},
		{"{{'lit'}}", true, js.Undefined{}}, // the property "lit"
		{"plain", false, nil},
	}
	for _, tc := range tests {
		tpl, err := template.Parse(tc.src)
		if err != nil {
			t.Fatalf("Parse(%q) error: %v", tc.src, err)
		}
		v, ok := tpl.Value()
		if ok != tc.wantOK {
			t.Errorf("Parse(%q).Value() ok = %v, want %v", tc.src, ok, tc.wantOK)
			continue
		}
		if !ok {
			continue
		}
		got, err := v.Eval(payload())
		if err != nil {
			t.Fatalf("Eval(%q) error: %v", tc.src, err)
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("Parse(%q).Value().Eval mismatch (-got +want):\n%s", tc.src, diff)
		}
	}
}
