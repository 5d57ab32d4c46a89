package template_test

import (
	"testing"

	"github.com/weirhq/weir/engine/template"
)

func FuzzRender(f *testing.F) {
	for _, cases := range [][]renderCase{printingCases, escapingCases, blockCases, whitespaceCases, helperCases, formatCases} {
		for _, tc := range cases {
			f.Add(tc.src)
		}
	}
	f.Add("{{#each data.users}}{{#with this}}{{../../data.n}}{{@../key}}{{/with}}{{/each}}")
	f.Add("{{{{raw}}}} {{~{data.s}~}} {{#if}}{{/if}}")
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := template.Parse(src)
		if err != nil {
			return
		}
		_, _ = tpl.Render(payload())
		_, _ = tpl.RenderJSON(payload())
		if v, ok := tpl.Value(); ok {
			_, _ = v.Eval(payload())
		}
		if v, err := template.ParseValue(src); err == nil {
			_, _ = v.Eval(payload())
		}
	})
}

func BenchmarkRender(b *testing.B) {
	tpl, err := template.Parse("{{data.name}} is {{data.value}}°")
	if err != nil {
		b.Fatal(err)
	}
	root := map[string]any{"data": map[string]any{"name": "Boiler", "value": 71.5}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValueEval(b *testing.B) {
	v, err := template.ParseValue("add (multiply data.value 1.8) 32")
	if err != nil {
		b.Fatal(err)
	}
	root := map[string]any{"data": map[string]any{"value": 21.5}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Eval(root); err != nil {
			b.Fatal(err)
		}
	}
}
