package template

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/weirhq/weir/engine/js"
)

// Limits of a page render, unless ViewEnv sets others.
const (
	// DefaultViewTimeout is how long one page (layout, page, components)
	// may take to render.
	DefaultViewTimeout = 2 * time.Second
	// DefaultMaxViewBytes is the most text one page may render to.
	DefaultMaxViewBytes = 4 << 20
	// MaxViewDepth is how deeply components, partials and {{template}}
	// may nest, which also stops a component that includes itself.
	MaxViewDepth = 32
)

// ErrViewLimit is wrapped by the errors of renders stopped by a limit:
// too slow, too large or nested too deeply.
var ErrViewLimit = errors.New("template: view limit")

// ViewEnv is what a page render reaches beyond its data.
type ViewEnv struct {
	// Component returns the compiled component of the application named
	// name, or an error (which fails the render) when there is none.
	Component func(name string) (*Template, error)
	// FileURL returns the URL of the application's file at path ({{file}}).
	FileURL func(path string) string
	// Warn hears of what a page used that weir does not have (dashboard
	// elements): the page renders a placeholder in its place.
	Warn func(msg string)
	// Timeout and MaxBytes bound the render; 0 means DefaultViewTimeout
	// and DefaultMaxViewBytes.
	Timeout  time.Duration
	MaxBytes int
}

// ParseView compiles an experience view (a layout, page or component): the
// workflow dialect plus partials ({{> name ctx key=value}}), inline
// partials ({{#*inline "name"}}…{{/inline}}) and the view helpers page,
// section, fillSection, component, element, dashboardUrl, file and
// template (element and dashboardUrl render placeholders and warn).
func ParseView(src string) (*Template, error) {
	p := &parser{src: src, view: true, partials: map[string]program{}}
	prog, err := p.parseProgram()
	if err != nil {
		return nil, err
	}
	return &Template{src: src, prog: prog, partials: p.partials}, nil
}

// RenderPage renders page against root and then, when layout is not nil,
// layout with the page's text at {{page}} and the sections the page filled
// at {{section}}. Text is HTML-escaped unless written with {{{ }}} or made
// by a view helper. It fails on helper errors, unknown components and the
// limits (errors wrapping ErrViewLimit).
func RenderPage(layout, page *Template, root any, env *ViewEnv) (string, error) {
	r := &viewRender{env: env, sections: map[string]string{}, maxBytes: env.MaxBytes}
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = DefaultViewTimeout
	}
	r.deadline = time.Now().Add(timeout)
	if r.maxBytes <= 0 {
		r.maxBytes = DefaultMaxViewBytes
	}
	out, err := r.run(page, root, root, nil)
	if err != nil || layout == nil {
		return out, err
	}
	r.page = out
	return r.run(layout, root, root, nil)
}

// viewRender is the state of one page render.
type viewRender struct {
	env       *ViewEnv
	page      string            // the rendered page, for {{page}}
	sections  map[string]string // filled by {{#fillSection}}
	depth     int
	ticks     int
	deadline  time.Time
	maxBytes  int
	templates map[string]*Template // {{template}} sources, compiled once
}

// viewFrame is what the scopes of one view (or component, or partial)
// share: the render, the component's @args and the view's inline partials.
type viewFrame struct {
	r        *viewRender
	args     any
	partials map[string]program
}

// run renders t with ctx as its context and args as its @args.
func (r *viewRender) run(t *Template, ctx, root, args any) (string, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > MaxViewDepth {
		return "", fmt.Errorf("%w: components, partials and templates nested more than %d deep", ErrViewLimit, MaxViewDepth)
	}
	var b strings.Builder
	s := &scope{ctx: ctx, root: root, view: &viewFrame{r: r, args: args, partials: t.partials}}
	if err := s.render(&b, t.prog); err != nil {
		return "", err
	}
	return b.String(), nil
}

// tick checks the limits before each statement rendered into b.
func (f *viewFrame) tick(b *strings.Builder) error {
	r := f.r
	if b.Len() > r.maxBytes {
		return fmt.Errorf("%w: the page is larger than %d bytes", ErrViewLimit, r.maxBytes)
	}
	if r.ticks++; r.ticks%64 == 0 && time.Now().After(r.deadline) {
		return fmt.Errorf("%w: the page took longer than %s to render", ErrViewLimit, r.env.timeout())
	}
	return nil
}

func (e *ViewEnv) timeout() time.Duration {
	if e.Timeout > 0 {
		return e.Timeout
	}
	return DefaultViewTimeout
}

// partialNode is {{> name ctx key=value}}: an inline partial of the view,
// else the component of that name, rendered with ctx (default: the current
// context) extended by the hash.
type partialNode struct {
	name string
	call *callExpr // params and hash; head unused
}

// parsePartial compiles a partial tag.
func (p *parser) parsePartial(it *item) (*partialNode, error) {
	if !p.view {
		return nil, errorAt(p.src, it.pos, "partials are not supported")
	}
	toks, err := lex(it.body)
	if err != nil {
		return nil, errorAt(p.src, it.pos, "%v", err)
	}
	ep := &exprParser{toks: toks, depth: p.depth, view: true}
	n := &partialNode{call: &callExpr{}}
	switch t := ep.next(); {
	case t.kind == tokID:
		n.name = t.text
	case t.kind == tokLiteral && t.text == "":
		n.name = js.ToString(t.val)
	default:
		return nil, errorAt(p.src, it.pos, "a partial must be named by a name or a string")
	}
	if err := ep.arguments(n.call, tokEOF); err != nil {
		return nil, errorAt(p.src, it.pos, "%v", err)
	}
	if len(n.call.params) > 1 {
		return nil, errorAt(p.src, it.pos, "a partial takes at most one context")
	}
	return n, nil
}

// parseInline compiles {{#*inline "name"}}…{{/inline}} into p.partials.
func (p *parser) parseInline(open *item) error {
	toks, err := lex(strings.TrimPrefix(open.body, "*"))
	if !p.view || err != nil || len(toks) != 3 || toks[0].text != "inline" || toks[1].kind != tokLiteral {
		return errorAt(p.src, open.pos, "decorators are not supported (only {{#*inline \"name\"}} in views)")
	}
	name := js.ToString(toks[1].val)
	body, end, err := p.parseUntilEnd()
	if err != nil {
		return err
	}
	if end == nil || end.kind != itemClose || strings.TrimSpace(end.body) != "inline" {
		return errorAt(p.src, open.pos, "%q inline partial is not closed with {{/inline}}", name)
	}
	p.partials[name] = body
	return nil
}

// renderPartial renders a partial statement into b.
func (s *scope) renderPartial(b *strings.Builder, n *partialNode) error {
	a, err := s.arguments(n.call)
	if err != nil {
		return err
	}
	ctx := s.ctx
	if len(a.params) == 1 {
		ctx = a.params[0]
	}
	if len(a.hash) > 0 {
		ext := map[string]any{}
		if m, ok := ctx.(map[string]any); ok {
			for k, v := range m {
				ext[k] = v
			}
		}
		for _, h := range a.hash {
			ext[h.key] = h.val
		}
		ctx = ext
	}
	f := s.view
	if prog, ok := f.partials[n.name]; ok {
		f.r.depth++
		defer func() { f.r.depth-- }()
		if f.r.depth > MaxViewDepth {
			return fmt.Errorf("%w: partials nested more than %d deep", ErrViewLimit, MaxViewDepth)
		}
		return s.push(ctx, s.data).render(b, prog)
	}
	out, err := f.component(n.name, ctx, s.root, f.args)
	if err != nil {
		return err
	}
	b.WriteString(out)
	return nil
}

// component renders the component named name.
func (f *viewFrame) component(name string, ctx, root, args any) (string, error) {
	if f.r.env.Component == nil {
		return "", fmt.Errorf("component %q was not found", name)
	}
	t, err := f.r.env.Component(name)
	if err != nil {
		return "", err
	}
	return f.r.run(t, ctx, root, args)
}

// viewHelpers are the helpers only experience views have (set in init:
// template compiles views itself).
var viewHelpers map[string]*helper

func init() { viewHelpers = newViewHelpers() }

func newViewHelpers() map[string]*helper {
	return map[string]*helper{
		"page": {view: func(s *scope, a args) (any, error) { return safeString(s.view.r.page), nil }},
		"section": {
			view: func(s *scope, a args) (any, error) { return safeString(s.view.r.sections[js.ToString(a.at(0))]), nil },
			block: func(s *scope, b *strings.Builder, n *blockNode, a args) error {
				if text, ok := s.view.r.sections[js.ToString(a.at(0))]; ok {
					b.WriteString(text)
					return nil
				}
				return s.render(b, n.body) // the layout's default content
			},
		},
		"fillSection": {
			view: func(s *scope, a args) (any, error) {
				return nil, errors.New("fillSection must be used as a block ({{#fillSection \"name\"}}…{{/fillSection}})")
			},
			block: func(s *scope, b *strings.Builder, n *blockNode, a args) error {
				var sb strings.Builder
				if err := s.render(&sb, n.body); err != nil {
					return err
				}
				s.view.r.sections[js.ToString(a.at(0))] = sb.String()
				return nil
			},
		},
		"component": {view: func(s *scope, a args) (any, error) {
			ctx := s.ctx
			if a.has(1) {
				ctx = a.at(1)
			}
			hash := map[string]any{}
			for _, h := range a.hash {
				hash[h.key] = h.val
			}
			out, err := s.view.component(js.ToString(a.at(0)), ctx, s.root, hash)
			return safeString(out), err
		}},
		"element": {view: func(s *scope, a args) (any, error) {
			kind := js.ToString(a.at(0))
			if w := s.view.r.env.Warn; w != nil {
				w(fmt.Sprintf("the %q element is not available in weir; a placeholder was rendered", kind))
			}
			return safeString(`<div class="weir-element-placeholder" data-element="` + html.EscapeString(kind) +
				`" style="border:1px dashed #999;padding:1em;color:#666">The ` + html.EscapeString(kind) +
				` element is not available on this server.</div>`), nil
		}},
		"dashboardUrl": {view: func(s *scope, a args) (any, error) {
			if w := s.view.r.env.Warn; w != nil {
				w("dashboards are not available in weir; dashboardUrl rendered a placeholder link")
			}
			return "#weir-dashboard-not-available", nil
		}},
		"file": {view: func(s *scope, a args) (any, error) {
			p := js.ToString(a.at(0))
			if s.view.r.env.FileURL == nil || !a.has(0) || p == "" {
				return "", nil
			}
			return s.view.r.env.FileURL(p), nil
		}},
		"template": {view: func(s *scope, a args) (any, error) {
			src, ok := a.at(0).(string)
			if !ok || src == "" {
				return "", nil
			}
			r := s.view.r
			t, ok := r.templates[src]
			if !ok {
				var err error
				if t, err = ParseView(src); err != nil {
					return nil, err
				}
				if r.templates == nil {
					r.templates = map[string]*Template{}
				}
				r.templates[src] = t
			}
			ctx := s.ctx
			if len(a.params) > 1 {
				ctx = a.at(1)
			}
			// The text was escaped as it rendered; it is not escaped twice.
			out, err := r.run(t, ctx, s.root, s.view.args)
			return safeString(out), err
		}},
	}
}
