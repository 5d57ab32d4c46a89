package expr_test

import "testing"

func BenchmarkEval(b *testing.B) {
	e := mustCompile(b, "{{data.value}} > 50 && {{data.flag}} === true")
	root := map[string]any{"data": map[string]any{"value": 72.5, "flag": true}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mustCompile(b, "{{data.value}} > 50 && {{data.flag}} === true")
	}
}
