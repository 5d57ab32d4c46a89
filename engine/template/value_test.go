package template_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/template"
)

func TestValueEval(t *testing.T) {
	tests := []struct {
		name string
		body string
		want any
	}{
		{"number", "data.n", 42.0},
		{"string", "data.s", "Hello World"},
		{"bool", "data.f", false},
		{"null", "data.null", nil},
		{"missing", "data.nope.x", js.Undefined{}},
		{"array", "data.nums", []any{1.0, 2.0, 3.0}},
		{"object", "data.obj", map[string]any{"a": 1.0, "b": 2.0}},
		{"date", "time", time.Date(2016, 2, 19, 22, 26, 0, 0, time.UTC)},
		{"length", "length data.nums", 3.0},
		{"length missing", "length data.n", js.Undefined{}},
		{"lower", "lower data.s", "hello world"},
		{"subexpression", "add (multiply data.n 2) 1", 85.0},
		{"comparison", "gt data.n 5", true},
		{"lookup object", "lookup data 'obj'", map[string]any{"a": 1.0, "b": 2.0}},
		{"jsonEncode is a string", "jsonEncode data.nums", "[1,2,3]"},
		{"jsonDecode", `jsonDecode '[1,"a"]'`, []any{1.0, "a"}},
		{"formatDate hash", `formatDate time "x" tz="America/Chicago"`, "1455920760000"},
		{"literal", "'abc'", "abc"},
		{"literal undefined", "undefined", js.Undefined{}},
		{"braces", "{{data.n}}", 42.0},
		{"triple braces", "{{{data.s}}}", "Hello World"},
		{"root", "@root.data.n", 42.0},
		{"defaultTo raw", "defaultTo data.nope data.nums", []any{1.0, 2.0, 3.0}},
		{"typeof", "typeof data.nums", "array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := template.ParseValue(tc.body)
			if err != nil {
				t.Fatalf("ParseValue(%q) error: %v", tc.body, err)
			}
			got, err := v.Eval(payload())
			if err != nil {
				t.Fatalf("Eval(%q) error: %v", tc.body, err)
			}
			if diff := cmp.Diff(got, tc.want, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Eval(%q) mismatch (-got +want):\n%s", tc.body, diff)
			}
		})
	}
}

func TestParseValueErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", "", "empty expression"},
		{"unknown helper", "frob data.x", "unknown helper"},
		{"block helper", "if data.x", "must be used as a block"},
		{"unbalanced", "add (multiply 1 2", "unexpected end"},
		{"unsupported", "evalExpression 'x'", "not supported yet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := template.ParseValue(tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseValue(%q) error = %v, want it to contain %q", tc.body, err, tc.want)
			}
		})
	}
}

func TestConcurrentRender(t *testing.T) {
	tpl, err := template.Parse("{{#each data.nums}}{{format this '.2f'}}{{#match ../data.s 'W'}}!{{/match}}{{/each}}")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for range 8 {
		go func() {
			s, _ := tpl.Render(payload())
			done <- s
		}()
	}
	for range 8 {
		if got := <-done; got != "1.00!2.00!3.00!" {
			t.Errorf("Render = %q, want %q", got, "1.00!2.00!3.00!")
		}
	}
}
