package template_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/template"
	"github.com/weirhq/weir/internal/nodejs"
)

// Losant renders string templates with Handlebars; engine/template
// re-implements it. TestDifferential renders the golden cases and
// thousands of generated templates with weir and with handlebars.js (the
// version pinned in testdata/handlebars, installed with npm ci), and
// requires the same text, or an error from both. The generated templates
// cover the core: printing of every kind of value (numbers as JavaScript
// formats them, arrays, objects, dates, null and undefined), escaping, the
// truthiness #if and #unless give {}, [], 0, "" and NaN, #each over arrays
// and objects with its data variables, #with, lookup, ../ and @root,
// whitespace control and standalone lines. Templates that call one of
// Losant's own helpers (eq, gt, add, jsonEncode…) are left to the unit
// tests: handlebars.js does not have them.

// templateCases is how many templates TestDifferential generates.
const templateCases = 1000

// knownTemplateDifferences are the templates on which weir deliberately
// differs from handlebars.js, each with its reason; such templates are
// logged and counted, not compared.
//
// Two of them are leniency: handlebars.js (and so Losant) rejects the
// template, weir renders it with its evident meaning. No template Losant
// accepts changes meaning, and weir's own flows keep working. They apply
// only when handlebars.js fails and weir renders.
var knownTemplateDifferences = []struct {
	reason       string
	applies      *regexp.Regexp
	rejectedOnly bool
}{
	{
		// Handlebars lexes a keyword or number that ends a path as a
		// literal: {{data.null}} and {{data.arr.0}} are parse errors there
		// (spec/engine.md section 4.1 calls data.arr.0 invalid). weir reads
		// the segment as a property name, as data.[null] would.
		"a keyword or number ending a path is a parse error in handlebars.js; weir reads it as a name",
		regexp.MustCompile(`\.(null|true|false|undefined|-?[0-9]+)[~}\s)]`),
		true,
	},
	{
		// Handlebars lexes }}} as the closer of {{{…}}} (and }}}} of a raw
		// block), so {"n": {{data.n}}} is a parse error there: Losant's
		// own templates write {{data.n}} } instead. weir closes the mustache
		// at the first }} and prints the brace.
		"}}} after {{… is a parse error in handlebars.js; weir prints the brace",
		regexp.MustCompile(`(^|[^{])\{\{[^{!][^{}]*\}\}\}|\{\{\{[^{}]*\}\}\}\}`),
		true,
	},
	{
		// handlebars.js 4.7.8 merges adjacent unescaped outputs into one
		// JavaScript + expression, so {{{a}}}{{{b}}} with numbers 1 and 2
		// prints "3" (handlebars-lang/handlebars.js#1838, fixed upstream by
		// #2167 after 4.7.8). weir prints "12", as the fix does and as
		// the escaped form always did.
		"adjacent unescaped numbers are added by handlebars.js 4.7.8 (handlebars.js#1838)",
		regexp.MustCompile(`(\{\{\{[^{}]*\}\}\}|\{\{~?&[^{}]*\}\})(\{\{\{|\{\{~?&)`),
		false,
	},
}

// diffRoot is the payload of the generated templates: payload plus values
// whose printing or truthiness JavaScript makes unusual.
func diffRoot() map[string]any {
	p := payload()
	d := p["data"].(map[string]any)
	tenth := 0.1 // a variable: Go would add the constants exactly
	for k, v := range map[string]any{
		"frac": tenth + 0.2, "third": 1.0 / 3, "maxSafe": 9007199254740993.0, "denormal": 5e-324, "maxFloat": math.MaxFloat64,
		"negSmall": -1e-7, "exp20": 1e20, "exp21": 1e21, "decimal": 123.456, "negZero": math.Copysign(0, -1), "million": 1e6, "huge": 123456789012345680000.0,
		"tiny": 0.000001, "ninf": math.Inf(-1), "blank": " ", "zeroStr": "0", "falseStr": "false",
		"nested": map[string]any{"list": []any{map[string]any{"v": "<i>"}, map[string]any{"v": 0.0}}, "zero": 0.0},
		"holes":  []any{nil, js.Undefined{}, ""}, "matrix": []any{[]any{1.0, 2.0}, []any{}},
	} {
		d[k] = v
	}
	return p
}

var (
	diffPaths = []string{
		"data.name", "data.html", "data.n", "data.zero", "data.neg", "data.big", "data.small", "data.nan", "data.inf",
		"data.t", "data.f", "data.[null]", "data.undef", "data.empty", "data.arr", "data.nums", "data.none", "data.obj",
		"data.eobj", "data.s", "data.type", "data.nope", "data.nope.deeper", "data.arr.[1]", "data.arr.[3]",
		"data.nums.length", "data.name.length", "time", "data.users", "data.users.[0].name", "data.kv", "data.frac",
		"data.negZero", "data.million", "data.huge", "data.tiny", "data.ninf", "data.blank", "data.zeroStr",
		"data.third", "data.maxSafe", "data.denormal", "data.maxFloat", "data.negSmall", "data.exp20", "data.exp21", "data.decimal",
		"data.falseStr", "data.nested", "data.nested.list", "data.nested.zero", "data.holes", "data.matrix",
		"data.[a key]", "data", "this.data.n", "data/name",
	}
	// diffInner are expressions that make sense inside #each and #with.
	diffInner = []string{"this", ".", "@index", "@key", "@first", "@last", "../data.name", "@root.data.n", "name",
		"v", "length", "tags", "this.[0]", "key", "value", "a", "b", "@../index"}
	diffLiterals = []string{"1", "1.5", "-2", "0", "'str'", `"x<y"`, "true", "false", "null", "undefined"}
	diffTexts    = []string{"a", " ", "\n", "<b>", "&", "'", `"`, "=", "`", "x\n  ", " }", "\\", "é", "  \n", "\t"}
)

// genTemplate builds a random template of at most depth levels; inner says
// whether it sits inside #each or #with.
func genTemplate(r *rand.Rand, depth int, inner bool) string {
	n := 1 + r.IntN(4)
	var b strings.Builder
	for range n {
		b.WriteString(genPart(r, depth, inner))
	}
	return b.String()
}

func genPart(r *rand.Rand, depth int, inner bool) string {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	path := func() string {
		if inner && r.IntN(2) == 0 {
			return pick(diffInner)
		}
		return pick(diffPaths)
	}
	tilde := func() string {
		if r.IntN(5) == 0 {
			return "~"
		}
		return ""
	}
	nl := func() string {
		if r.IntN(3) == 0 {
			return "\n"
		}
		return ""
	}
	k := r.IntN(14)
	if depth == 0 && k >= 7 {
		k = r.IntN(7)
	}
	switch k {
	case 0, 1:
		return pick(diffTexts)
	case 2, 3:
		return "{{" + tilde() + path() + tilde() + "}}"
	case 4:
		return "{{{" + path() + "}}}"
	case 5:
		return "{{" + pick(diffLiterals) + "}}"
	case 6:
		if r.IntN(2) == 0 {
			return "{{! note }}" + nl()
		}
		return "{{&" + path() + "}}"
	case 7, 8:
		hash := ""
		if r.IntN(4) == 0 {
			hash = " includeZero=true"
		}
		block := pick([]string{"if", "unless"})
		cond := path()
		if r.IntN(6) == 0 {
			cond = "(lookup " + path() + " " + pick([]string{"'n'", "0", "'name'"}) + ")"
		}
		s := nl() + "{{" + tilde() + "#" + block + " " + cond + hash + tilde() + "}}" + nl() + genTemplate(r, depth-1, inner)
		if block == "if" && r.IntN(4) == 0 {
			s += "{{else if " + path() + "}}" + nl() + genTemplate(r, depth-1, inner)
		}
		switch r.IntN(4) {
		case 0, 1:
			s += "{{" + tilde() + "else" + tilde() + "}}" + nl() + genTemplate(r, depth-1, inner)
		case 2:
			s += "{{^}}" + genTemplate(r, depth-1, inner)
		}
		return s + "{{" + tilde() + "/" + block + tilde() + "}}" + nl()
	case 9, 10:
		s := nl() + "{{#each " + path() + "}}" + nl() + genTemplate(r, depth-1, true)
		if r.IntN(3) == 0 {
			s += "{{else}}" + genTemplate(r, depth-1, inner)
		}
		return s + "{{/each}}" + nl()
	case 11:
		s := "{{#with " + path() + "}}" + genTemplate(r, depth-1, true)
		if r.IntN(3) == 0 {
			s += "{{else}}" + genTemplate(r, depth-1, inner)
		}
		return s + "{{/with}}"
	case 12:
		return "{{lookup " + path() + " " + pick([]string{"0", "1", "'name'", "'a'", "data.key", "@index", "'length'"}) + "}}"
	}
	p := path()
	if r.IntN(3) == 0 {
		return "{{^" + p + "}}" + genTemplate(r, depth-1, inner) + "{{/" + p + "}}"
	}
	return "{{#" + p + "}}" + genTemplate(r, depth-1, true) + "{{/" + p + "}}"
}

func TestDifferential(t *testing.T) {
	type diffCase struct {
		name, src string
		root      int
	}
	var cases []diffCase
	for group, list := range map[string][]renderCase{
		"printing": printingCases, "escaping": escapingCases, "blocks": blockCases, "whitespace": whitespaceCases,
		"helpers": helperCases, "format": formatCases,
	} {
		for _, tc := range list {
			cases = append(cases, diffCase{group + "/" + tc.name, tc.src, 0})
		}
	}
	r := rand.New(rand.NewPCG(17, 9))
	for i := range templateCases {
		src := genTemplate(r, 3, false)
		cases = append(cases, diffCase{fmt.Sprintf("gen/%d", i), src, 1})
	}
	roots := []any{payload(), diffRoot()}

	type hbsCase struct {
		Src  string `json:"src"`
		Root int    `json:"root"`
	}
	in := make([]hbsCase, len(cases))
	for i, c := range cases {
		in[i] = hbsCase{c.src, c.root}
	}
	start := time.Now()
	nodejs.MustInstall(t, "testdata/handlebars")
	var want []map[string]string
	nodejs.MustRun(t, "testdata/handlebars/render.mjs",
		map[string]any{"roots": []any{nodejs.Tag(roots[0]), nodejs.Tag(roots[1])}, "cases": in, "helpers": template.LosantHelpers()}, &want)
	t.Logf("handlebars.js rendered %d templates in %v", len(cases), time.Since(start).Round(time.Millisecond))
	if len(want) != len(cases) {
		t.Fatalf("node returned %d results for %d cases", len(want), len(cases))
	}
	compared, differences, known := 0, 0, 0
	for i, c := range cases {
		if _, ok := want[i]["missing"]; ok {
			continue // one of Losant's helpers
		}
		compared++
		got := weirRender(c.src, roots[c.root])
		w := want[i]
		if _, ok := w["error"]; ok {
			w = map[string]string{"error": "error"}
		}
		diff := cmp.Diff(w, got)
		if diff == "" {
			continue
		}
		_, rejected := w["error"]
		_, rendered := got["ok"]
		if reason := knownDifference(c.src, rejected && rendered); reason != "" {
			known++
			t.Logf("%s: %q: %s", c.name, c.src, reason)
			continue
		}
		differences++
		if differences <= 40 {
			t.Errorf("%s: %q: weir and handlebars.js differ (-handlebars +weir):\n%s", c.name, c.src, diff)
		}
	}
	if differences > 0 {
		t.Errorf("%d of %d templates differ from handlebars.js", differences, compared)
	}
	t.Logf("%d templates compared with handlebars.js (%d generated; %d call Losant's helpers); %d differ as documented",
		compared, templateCases, len(cases)-compared, known)
}

// knownDifference returns the reason src is a documented difference, or
// "". lenient says that handlebars.js rejected src and weir rendered it.
func knownDifference(src string, lenient bool) string {
	for _, k := range knownTemplateDifferences {
		if (lenient || !k.rejectedOnly) && k.applies.MatchString(src) {
			return k.reason
		}
	}
	return ""
}

// weirRender renders src with engine/template: {"ok": text} or
// {"error": "error"}.
func weirRender(src string, root any) map[string]string {
	tpl, err := template.Parse(src)
	if err != nil {
		return map[string]string{"error": "error"}
	}
	out, err := tpl.Render(root)
	if err != nil {
		return map[string]string{"error": "error"}
	}
	return map[string]string{"ok": out}
}
