package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
	"github.com/weirhq/weir/flowfile"
)

// corpusViewsDir holds the experience views (layouts, pages, components)
// of Losant's public application templates.
const corpusViewsDir = "testdata/losant-library-views"

// Corpus view figures, asserted so that a regression shows up: views that
// compile, pages that render in their layout with sample data, and the
// Endpoint Reply nodes replying with a page whose page renders.
const (
	corpusViews              = 111
	corpusViewsCompiling     = 111
	corpusPages              = 64
	corpusPagesRendering     = 64
	corpusPageReplies        = 107
	corpusPageRepliesRender  = 106
	corpusPageRepliesDynamic = 1 // names a page id from the author's application
)

// viewResource is one view of an exported template's views file.
type viewResource struct {
	ID            string            `yaml:"id"`
	Name          string            `yaml:"name"`
	Description   string            `yaml:"description"`
	ViewType      string            `yaml:"viewType"`
	LayoutID      string            `yaml:"layoutId"`
	LocalFilename string            `yaml:"localFilename"`
	Headers       map[string]string `yaml:"headers"`
	ViewTags      map[string]any    `yaml:"viewTags"`
}

// TestCorpusViews creates every template's views in an application of its
// own, compiles them, renders every page in its layout with sample data
// (an empty pageData and a signed-in user), and renders the page of every
// page reply of the template's workflows.
func TestCorpusViews(t *testing.T) {
	ctx := t.Context()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	inst, err := openInstance(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.DB.Close()
	views := &engine.Views{Views: inst.DB, FileURL: func(app, p string) string { return "/files/" + app + "/" + p }}

	templates := corpusViewTemplates(t)
	var total, compiled, pages, rendered, replies, repliesRendered, dynamic int
	names := make([]string, 0, len(templates))
	for tpl := range templates {
		names = append(names, tpl)
	}
	sort.Strings(names)
	for _, tpl := range names {
		app := &weir.Application{Name: tpl, OwnerID: inst.OwnerID, OwnerType: "user"}
		if err := inst.DB.CreateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{} // export placeholder -> id
		var created []*weir.ExperienceView
		rs := templates[tpl]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].ViewType == weir.ViewLayout && rs[j].ViewType != weir.ViewLayout })
		for _, r := range rs {
			body, err := os.ReadFile(r.LocalFilename)
			if err != nil {
				t.Fatal(err)
			}
			v := &weir.ExperienceView{ApplicationID: app.ID, Name: r.Name, Description: r.Description, ViewType: r.ViewType,
				LayoutID: ids[r.LayoutID], Body: string(body), Headers: r.Headers, ViewTags: map[string]string{}}
			for k, val := range r.ViewTags {
				v.ViewTags[k] = fmt.Sprint(val)
			}
			if err := inst.DB.CreateExperienceView(ctx, v); err != nil {
				t.Fatalf("%s: %s %s: %v", tpl, r.ViewType, r.Name, err)
			}
			ids[r.ID] = v.ID
			created = append(created, v)
		}
		for _, v := range created {
			total++
			if compiles(v) {
				compiled++
			} else {
				t.Logf("%s: %s %s does not compile", tpl, v.ViewType, v.Name)
			}
			if v.ViewType != weir.ViewPage {
				continue
			}
			pages++
			if err := renderCorpusPage(t, views, app.ID, v.ID, ""); err != nil {
				t.Logf("%s: page %s: %v", tpl, v.Name, err)
				continue
			}
			rendered++
		}
		for _, ref := range pageRepliesOf(t, tpl) {
			replies++
			id, ok := ids[ref.page]
			if !ok {
				dynamic++
				t.Logf("%s: a page reply names page %q, which is no view of the template", tpl, ref.page)
				continue
			}
			if err := renderCorpusPage(t, views, app.ID, id, ids[ref.layout]); err != nil {
				t.Logf("%s: page reply of %s: %v", tpl, ref.page, err)
				continue
			}
			repliesRendered++
		}
	}
	t.Logf("corpus views: %d of %d compile; %d of %d pages render with sample data; %d of %d page replies render (%d name no view)",
		compiled, total, rendered, pages, repliesRendered, replies, dynamic)
	got := [...]int{total, compiled, pages, rendered, replies, repliesRendered, dynamic}
	want := [...]int{corpusViews, corpusViewsCompiling, corpusPages, corpusPagesRendering, corpusPageReplies, corpusPageRepliesRender, corpusPageRepliesDynamic}
	if got != want {
		t.Errorf("corpus views, compiling, pages, rendering, page replies, rendering, naming no view = %v, want %v", got, want)
	}
}

func compiles(v *weir.ExperienceView) bool {
	_, err := template.ParseView(v.Body)
	return err == nil
}

// renderCorpusPage renders a page with sample data: a signed-in user, an
// empty pageData, the develop version.
func renderCorpusPage(t *testing.T, views *engine.Views, appID, pageID, layoutID string) error {
	pg, err := views.FindPage(t.Context(), appID, pageID, layoutID)
	if err != nil {
		return err
	}
	root := map[string]any{
		"pageData": map[string]any{},
		"request":  map[string]any{"path": "/", "method": "get", "params": map[string]any{}, "query": map[string]any{}},
		"experience": map[string]any{"version": weir.DevelopVersion, "endpoint": map[string]any{"route": "/"},
			"user": map[string]any{"id": weir.NewID(), "email": "ann@example.com", "firstName": "Ann", "lastName": "Lee",
				"userTags": map[string]any{}, "experienceGroups": []any{}}},
		"globals": map[string]any{},
		"time":    time.Now().UTC(),
	}
	_, err = views.Render(t.Context(), appID, pg, root, nil)
	return err
}

// corpusViewTemplates reads every views file (layouts.yaml, pages.yaml,
// components.yaml) and returns the views by template; LocalFilename
// becomes the body's path.
func corpusViewTemplates(t *testing.T) map[string][]viewResource {
	t.Helper()
	out := map[string][]viewResource{}
	err := filepath.WalkDir(corpusViewsDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var f struct {
			ResourceType string         `yaml:"resourceType"`
			Resources    []viewResource `yaml:"resources"`
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if f.ResourceType != "ExperienceView" {
			return nil
		}
		tpl, _, _ := strings.Cut(strings.TrimPrefix(path, corpusViewsDir+"/"), "/experience/")
		for _, r := range f.Resources {
			r.LocalFilename = filepath.Join(filepath.Dir(path), r.LocalFilename)
			out[tpl] = append(out[tpl], r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pageRef is the page and layout an Endpoint Reply node replies with.
type pageRef struct{ page, layout string }

// pageRepliesOf returns the page replies of the template's workflows.
func pageRepliesOf(t *testing.T, tpl string) []pageRef {
	t.Helper()
	var out []pageRef
	root := filepath.Join(corpusDir, tpl)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := flowfile.Parse(data)
		if err != nil {
			return nil
		}
		var defs []*weir.Definition
		for _, fl := range f.Flows {
			defs = append(defs, &fl.Definition)
		}
		for _, v := range f.Versions {
			defs = append(defs, &v.Definition)
		}
		for _, def := range defs {
			for _, n := range def.Nodes {
				var c struct {
					ReplyType        string `json:"replyType"`
					PageIDTemplate   string `json:"pageIdTemplate"`
					LayoutIDTemplate string `json:"layoutIdTemplate"`
				}
				if n.Type != "EndpointReplyNode" || json.Unmarshal(n.Config, &c) != nil || c.ReplyType != "page" {
					continue
				}
				out = append(out, pageRef{c.PageIDTemplate, c.LayoutIDTemplate})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
