package engine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"html"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine/template"
)

// DefaultMaxPageBytes is the most text a page reply renders to unless
// Views.MaxBytes is set: replies travel among a cluster's processes, whose
// messages are small.
const DefaultMaxPageBytes = 512 << 10

// maxCompiledViews bounds the compiled views a Views keeps; past it the
// cache starts over.
const maxCompiledViews = 2000

// Views is what page replies reach: the application's experience views,
// each body compiled once, and the URL of its files. The
// zero value with Views set is ready to use; it is safe for concurrent use.
type Views struct {
	Views weir.ExperienceViewService
	// FileURL returns the URL browsers load the application's file at path
	// from ({{file}}); nil renders {{file}} empty.
	FileURL func(applicationID, path string) string
	// Timeout and MaxBytes bound each page render (0: the template
	// package's DefaultViewTimeout and DefaultMaxPageBytes).
	Timeout  time.Duration
	MaxBytes int

	mu       sync.Mutex
	compiled map[string]*template.Template // by the SHA-256 of the body
}

// Page is a page to render: the page, its layout (nil for none) and the
// layout and page as the render context has them.
type Page struct {
	Page, Layout *weir.ExperienceView
	page, layout *template.Template
}

// FindPage returns the application's page pageID (an id, else a page
// name) with layoutID, or its own layout when layoutID is empty, compiled.
// It returns NotFound for a page or layout the application does not have,
// and Validation for a view that does not compile.
func (v *Views) FindPage(ctx context.Context, applicationID, pageID, layoutID string) (*Page, error) {
	page, err := v.find(ctx, applicationID, weir.ViewPage, pageID)
	if err != nil {
		return nil, err
	}
	pg := &Page{Page: page}
	if pg.page, err = v.compile(page); err != nil {
		return nil, err
	}
	if layoutID == "" {
		layoutID = page.LayoutID
	}
	if layoutID != "" {
		if pg.Layout, err = v.find(ctx, applicationID, weir.ViewLayout, layoutID); err != nil {
			return nil, err
		}
		if pg.layout, err = v.compile(pg.Layout); err != nil {
			return nil, err
		}
	}
	return pg, nil
}

// Render renders p against root with the application's components; warn
// hears of placeholders rendered. Errors are the template package's.
func (v *Views) Render(ctx context.Context, applicationID string, p *Page, root any, warn func(string)) (string, error) {
	components := map[string]*template.Template{}
	env := &template.ViewEnv{
		Component: func(name string) (*template.Template, error) {
			if t, ok := components[name]; ok {
				return t, nil
			}
			c, err := v.Views.FindExperienceViewByName(ctx, applicationID, weir.ViewComponent, name)
			if err != nil {
				return nil, fmt.Errorf("component %q: %s", name, weir.ErrorMessage(err))
			}
			t, err := v.compile(c)
			if err != nil {
				return nil, err
			}
			components[name] = t
			return t, nil
		},
		Warn:     warn,
		Timeout:  v.Timeout,
		MaxBytes: v.MaxBytes,
	}
	if env.MaxBytes <= 0 {
		env.MaxBytes = DefaultMaxPageBytes
	}
	if v.FileURL != nil {
		env.FileURL = func(path string) string { return v.FileURL(applicationID, path) }
	}
	return template.RenderPage(p.layout, p.page, root, env)
}

// find returns the application's view of the type with id (or name).
func (v *Views) find(ctx context.Context, applicationID, viewType, id string) (*weir.ExperienceView, error) {
	if weir.ValidID(id) {
		view, err := v.Views.FindExperienceViewByID(ctx, applicationID, id)
		if err == nil && view.ViewType != viewType {
			err = weir.Errorf(weir.NotFound, "Experience view was not found")
		}
		if weir.ErrorTypeOf(err) != weir.NotFound {
			return view, err
		}
	}
	view, err := v.Views.FindExperienceViewByName(ctx, applicationID, viewType, id)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, weir.Errorf(weir.NotFound, "The %s %s was not found", viewType, id)
	}
	return view, err
}

// compile returns the compiled body of view, compiling it on first use.
func (v *Views) compile(view *weir.ExperienceView) (*template.Template, error) {
	sum := sha256.Sum256([]byte(view.Body))
	key := string(sum[:])
	v.mu.Lock()
	t, ok := v.compiled[key]
	v.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := template.ParseView(view.Body)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "%s %s: %v", view.ViewType, view.Name, err)
	}
	v.mu.Lock()
	if v.compiled == nil || len(v.compiled) >= maxCompiledViews {
		v.compiled = map[string]*template.Template{}
	}
	v.compiled[key] = t
	v.mu.Unlock()
	return t, nil
}

// ViewContext is a view as a render sees it at experience.page and
// experience.layout.
func ViewContext(v *weir.ExperienceView) map[string]any {
	tags := map[string]any{}
	for k, t := range v.ViewTags {
		tags[k] = t
	}
	return map[string]any{"id": v.ID, "name": v.Name, "description": v.Description, "viewType": v.ViewType, "viewTags": tags}
}

// PageErrorHTML is the page a page reply answers (with 500) when its page
// cannot be found or rendered: the error's message, escaped.
func PageErrorHTML(err error) string {
	return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Error rendering page</title></head><body>" +
		"<h1>Error rendering page</h1><pre>" + html.EscapeString(weir.ErrorMessage(err)) + "</pre></body></html>\n"
}
