package template_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/engine/template"
)

// views compiles sources by name into a component lookup.
func views(t *testing.T, srcs map[string]string) func(string) (*template.Template, error) {
	t.Helper()
	m := map[string]*template.Template{}
	for name, src := range srcs {
		v, err := template.ParseView(src)
		if err != nil {
			t.Fatalf("ParseView(%s): %v", name, err)
		}
		m[name] = v
	}
	return func(name string) (*template.Template, error) {
		if v, ok := m[name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("component %q was not found", name)
	}
}

func mustView(t *testing.T, src string) *template.Template {
	t.Helper()
	v, err := template.ParseView(src)
	if err != nil {
		t.Fatalf("ParseView(%q): %v", src, err)
	}
	return v
}

func TestRenderPage(t *testing.T) {
	var warned []string
	env := &template.ViewEnv{
		Component: views(t, map[string]string{
			"greet": `<b>{{@args.greeting}}, {{name}}</b>`,
			"tree":  `{{#*inline "item"}}<li>{{label}}</li>{{/inline}}<ul>{{#each @args.items}}{{> item}}{{/each}}</ul>`,
		}),
		FileURL: func(p string) string { return "/files/app/" + strings.TrimPrefix(p, "/") },
		Warn:    func(m string) { warned = append(warned, m) },
	}
	layout := mustView(t, `<html><head>{{#section "head"}}<title>default</title>{{/section}}<link href="{{file 'site.css'}}"></head>`+
		`<body>{{page}}|{{section "foot"}}|{{experience.page.name}}</body></html>`)
	page := mustView(t, `{{#fillSection "head"}}<title>{{pageData.title}}</title>{{/fillSection}}`+
		`{{component "greet" pageData.user greeting="Hi"}}{{pageData.html}}{{{pageData.html}}}`+
		`{{component "tree" items=pageData.items}}{{element "dashboard" dashboardId="x"}}{{template "[{{a}}]" pageData.t}}<a href="{{dashboardUrl 'x'}}">`)
	root := map[string]any{
		"pageData": map[string]any{"title": "Home & co", "user": map[string]any{"name": "<Ann>"}, "html": "<i>x</i>",
			"items": []any{map[string]any{"label": "one"}, map[string]any{"label": "two"}}, "t": map[string]any{"a": "<t>"}},
		"experience": map[string]any{"page": map[string]any{"name": "home"}},
	}
	got, err := template.RenderPage(layout, page, root, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<title>Home &amp; co</title>`, `<link href="/files/app/site.css">`, `<b>Hi, &lt;Ann&gt;</b>`,
		`&lt;i&gt;x&lt;/i&gt;<i>x</i>`, `<ul><li>one</li><li>two</li></ul>`, `data-element="dashboard"`,
		`[&lt;t&gt;]`, `||home</body>`, `<a href="#weir-dashboard-not-available">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "default") {
		t.Errorf("the layout's default head rendered although the page filled it:\n%s", got)
	}
	if len(warned) != 2 || !strings.Contains(warned[0], "dashboard") || !strings.Contains(warned[1], "dashboardUrl") {
		t.Errorf("warnings = %q, want the dashboard element's and dashboardUrl's", warned)
	}
}

func TestRenderPageNoLayout(t *testing.T) {
	got, err := template.RenderPage(nil, mustView(t, `{{#section "x"}}d{{/section}}{{pageData}}`), map[string]any{"pageData": "p"}, &template.ViewEnv{})
	if err != nil || got != "dp" {
		t.Errorf("RenderPage = %q, %v; want dp", got, err)
	}
}

func TestRenderPageLimits(t *testing.T) {
	env := &template.ViewEnv{Component: views(t, map[string]string{
		"self": `x{{component "self"}}`,
		"fork": `{{component "fork"}}{{component "fork"}}`,
	}), MaxBytes: 1000, Timeout: 200 * time.Millisecond}
	big := make([]any, 5000)
	for name, src := range map[string]string{
		"Recursion":   `{{component "self"}}`,
		"Size":        `{{#each pageData}}0123456789{{/each}}`,
		"Exponential": `{{component "fork"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := template.RenderPage(nil, mustView(t, src), map[string]any{"pageData": big}, env)
			if !errors.Is(err, template.ErrViewLimit) {
				t.Fatalf("err = %v, want a view limit", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("stopped after %s", d)
			}
		})
	}
	_, err := template.RenderPage(nil, mustView(t, `{{component "missing"}}`), nil, env)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing component: %v", err)
	}
}

func TestViewSyntaxOnlyInViews(t *testing.T) {
	for _, src := range []string{`{{> x}}`, `{{#*inline "x"}}y{{/inline}}`, `{{component "c"}}`, `{{page}}x{{file "a" 1}}`} {
		if _, err := template.Parse(src); err == nil {
			t.Errorf("Parse(%q) compiled; view syntax must stay out of workflow templates", src)
		}
	}
	for _, src := range []string{`{{#*decorator}}x{{/decorator}}`, `{{#> layout}}x{{/layout}}`} {
		if _, err := template.ParseView(src); err == nil {
			t.Errorf("ParseView(%q) compiled", src)
		}
	}
}

func TestViewBlockParams(t *testing.T) {
	page := mustView(t, `{{#with pageData as |d|}}{{#each d.rows as |row i|}}{{i}}:{{#each row as |cell|}}[{{cell}}{{d.sep}}]{{/each}}{{/each}}{{this.sep}}{{/with}}`)
	got, err := template.RenderPage(nil, page, map[string]any{"pageData": map[string]any{"sep": ";",
		"rows": []any{[]any{"a", "b"}, []any{"c"}}}}, &template.ViewEnv{})
	if want := "0:[a;][b;]1:[c;];"; got != want || err != nil {
		t.Errorf("RenderPage = %q, %v; want %q", got, err, want)
	}
	if _, err := template.ParseView(`{{#if x as |y|}}{{/if}}`); err == nil {
		t.Error("block params on #if compiled")
	}
}

// FuzzRenderPage renders fuzzed views as page, layout and component: a
// view body is client input, so any may fail but none may panic or hang.
func FuzzRenderPage(f *testing.F) {
	for _, src := range []string{
		`{{#fillSection "a"}}x{{/fillSection}}{{section "a"}}{{page}}`,
		`{{#*inline "p"}}{{@args.x}}{{/inline}}{{> p this y=1}}{{component "c" x=2}}`,
		`{{#each pageData as |v k|}}{{k}}={{v}}{{/each}}{{#with pageData as |d|}}{{d.a}}{{/with}}`,
		`{{template "{{x}}" pageData}}{{file "a b/c.css"}}{{element "dashboard"}}`,
	} {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := template.ParseView(src)
		if err != nil {
			return
		}
		env := &template.ViewEnv{
			Component: func(string) (*template.Template, error) { return v, nil },
			FileURL:   func(p string) string { return p },
			Timeout:   time.Second, MaxBytes: 1 << 16,
		}
		root := map[string]any{"pageData": map[string]any{"a": []any{1.0, "<b>"}, "x": "y"}}
		_, _ = template.RenderPage(v, v, root, env)
	})
}
