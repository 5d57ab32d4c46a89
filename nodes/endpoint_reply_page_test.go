package nodes_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// fakeViews is an in-memory experience view store, and the engine.Views
// over it that every run of a test shares (with its compiled views).
type fakeViews struct {
	views  []*weir.ExperienceView
	engine *engine.Views
}

func (f *fakeViews) add(appID, viewType, name, body string) *weir.ExperienceView {
	v := &weir.ExperienceView{ID: weir.NewID(), ApplicationID: appID, ViewType: viewType, Name: name, Body: body}
	f.views = append(f.views, v)
	return v
}

func (f *fakeViews) FindExperienceViewByID(_ context.Context, appID, id string) (*weir.ExperienceView, error) {
	for _, v := range f.views {
		if v.ApplicationID == appID && v.ID == id {
			return v, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience view was not found")
}

func (f *fakeViews) FindExperienceViewByName(_ context.Context, appID, viewType, name string) (*weir.ExperienceView, error) {
	for _, v := range f.views {
		if v.ApplicationID == appID && v.ViewType == viewType && v.Name == name {
			return v, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience view was not found")
}

func (f *fakeViews) FindExperienceViews(context.Context, weir.ExperienceViewFilter) ([]*weir.ExperienceView, int, error) {
	return nil, 0, nil
}
func (f *fakeViews) CreateExperienceView(context.Context, *weir.ExperienceView) error { return nil }
func (f *fakeViews) UpdateExperienceView(context.Context, *weir.ExperienceView) error { return nil }
func (f *fakeViews) DeleteExperienceView(context.Context, string, string) error       { return nil }

// runPageReply runs one page reply of config for application appID.
func runPageReply(t *testing.T, views *fakeViews, appID, config string, payload engine.Payload) (*engine.Result, engine.Reply) {
	t.Helper()
	g := endpointReplyGraph(t, config)
	if views.engine == nil {
		views.engine = &engine.Views{Views: views, FileURL: func(app, p string) string { return "/files/" + app + p }}
	}
	var got engine.Reply
	env := &engine.Env{RunID: "run", ApplicationID: appID, FlowID: "flow", FlowVersion: "develop",
		Reply: func(_ string, r engine.Reply) error { got = r; return nil },
		Views: views.engine}
	b, _ := json.Marshal(payload)
	decoded, _ := engine.DecodeValue(b)
	res, err := g.Run(context.Background(), env, "button", decoded.(map[string]any))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, got
}

func TestEndpointReply_PageRendersInLayout(t *testing.T) {
	app, other := weir.NewID(), weir.NewID()
	views := &fakeViews{}
	layout := views.add(app, weir.ViewLayout, "main", `<html><head>{{#section "head"}}<title>x</title>{{/section}}`+
		`<link rel="stylesheet" href="{{file '/css/site.css'}}"></head><body>{{page}}</body></html>`)
	page := views.add(app, weir.ViewPage, "home", `{{#fillSection "head"}}<title>{{experience.page.viewTags.title}}</title>{{/fillSection}}`+
		`<h1>{{pageData.greeting}}, {{experience.user.firstName}}</h1>{{component "badge" text=request.path}}{{element "dashboard"}}<i>{{request.headers.host}}</i>`)
	page.LayoutID, page.Headers, page.ViewTags = layout.ID, map[string]string{"x-page": "1", "content-type": "text/html"}, map[string]string{"title": "Home"}
	views.add(app, weir.ViewComponent, "badge", `<span class="badge">{{@args.text}}</span>`)
	views.add(other, weir.ViewPage, "secret", `other application's page`)

	payload := engine.Payload{
		"data": map[string]any{"replyId": "ep.1", "path": "/home", "method": "get", "query": map[string]any{},
			"headers": map[string]any{"host": "example.com"}},
		"working":    map[string]any{"page": map[string]any{"greeting": "<Hello>"}},
		"experience": map[string]any{"user": map[string]any{"firstName": "Ann"}, "endpoint": map[string]any{"route": "/home"}},
	}
	config := `{"replyType":"page","responseCodeTemplate":"201","bodyTemplateType":"path","bodyTemplate":"working.page",
		"pageIdTemplate":"` + page.ID + `","headerInfo":[{"keyTemplate":"X-Node","valueTemplate":"2"}]}`
	res, got := runPageReply(t, views, app, config, payload)
	if res.PathsFailed != 0 || got.StatusCode != 201 {
		t.Fatalf("failed paths %d, status %d: %s", res.PathsFailed, got.StatusCode, got.Body)
	}
	body := string(got.Body)
	for _, want := range []string{`<title>Home</title>`, `href="/files/` + app + `/css/site.css"`, `<h1>&lt;Hello&gt;, Ann</h1>`,
		`<span class="badge">/home</span>`, `weir-element-placeholder`, `<i>example.com</i>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	for k, v := range map[string]string{"X-Page": "1", "X-Node": "2", "Content-Type": "text/html", "X-Content-Type-Options": "nosniff"} {
		if got.Headers[k] != v {
			t.Errorf("header %s = %q, want %q (all: %v)", k, got.Headers[k], v, got.Headers)
		}
	}

	// A changed body renders at once, whatever its lastUpdated says.
	page.Body = `changed`
	if _, got = runPageReply(t, views, app, config, payload); !strings.Contains(string(got.Body), "<body>changed</body>") {
		t.Errorf("after a change the page renders %s", got.Body)
	}

	// By name, and another application's page is never reached.
	_, got = runPageReply(t, views, app, `{"replyType":"page","bodyTemplateType":"none","pageIdTemplate":"secret"}`, payload)
	if got.StatusCode != 500 || strings.Contains(string(got.Body), "other application") {
		t.Errorf("another application's page: %d %s", got.StatusCode, got.Body)
	}
}

func TestEndpointReply_PageErrorRendersAnErrorPage(t *testing.T) {
	app := weir.NewID()
	views := &fakeViews{}
	views.add(app, weir.ViewPage, "broken", `before {{component "missing"}}`)
	views.add(app, weir.ViewPage, "loop", `{{component "loop"}}`)
	views.add(app, weir.ViewComponent, "loop", `{{component "loop"}}`)
	for _, page := range []string{"broken", "loop", "absent"} {
		res, got := runPageReply(t, views, app, `{"replyType":"page","bodyTemplateType":"none","pageIdTemplate":"`+page+`"}`,
			engine.Payload{"data": map[string]any{"replyId": "ep.1"}})
		if res.PathsFailed != 0 || got.StatusCode != 500 || !strings.Contains(string(got.Body), "Error rendering page") ||
			got.Headers["Content-Type"] != "text/html; charset=utf-8" {
			t.Errorf("%s: failed %d, %d %v %s; want 500 and an error page, the run going on", page, res.PathsFailed, got.StatusCode, got.Headers, got.Body)
		}
	}
}
