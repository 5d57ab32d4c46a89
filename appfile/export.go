package appfile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// flowClasses are the classes of flow an export lists (Losant lists one
// class at a time).
var flowClasses = []string{"cloud", "edge", "embedded", "customNode", "experience"}

// Exporter reads an application back through weir's REST API.
type Exporter struct {
	Client *Client
}

// Export reads application appID and every resource of it weir serves into
// a Template whose ids are placeholders named after the resources (see
// Placeholder), references between the resources rewritten to match. Kinds
// weir does not serve yet are returned as skipped.
func (ex *Exporter) Export(ctx context.Context, appID string) (*Template, []Skip, error) {
	r := &exportRun{ex: ex, ctx: ctx, app: appID, tpl: &Template{}, names: map[string]bool{}}
	var app Doc
	if err := ex.Client.do(ctx, "GET", "/applications/"+appID, nil, &app); err != nil {
		return nil, nil, err
	}
	r.tpl.Application = &Resource{Kind: KindApplication, Doc: keep(app, applicationFields)}
	r.tpl.Application.ID = appID
	for _, s := range specs {
		if err := r.read(s.kind, s.spec); err != nil {
			return nil, nil, err
		}
	}
	r.placeholders()
	return r.tpl, r.skipped, nil
}

type exportRun struct {
	ex      *Exporter
	ctx     context.Context
	app     string
	tpl     *Template
	skipped []Skip
	names   map[string]bool
}

// read lists the resources of one kind.
func (r *exportRun) read(kind string, s spec) error {
	var parents []*Resource
	coll := s.collection
	switch {
	case strings.Contains(coll, "{flowId}"):
		parents = r.tpl.Of(KindFlow)
	default:
		coll = "/applications/" + r.app + coll
	}
	paths := []string{coll}
	if strings.Contains(coll, "{flowId}") {
		paths = nil
		for _, p := range parents {
			paths = append(paths, "/applications/"+r.app+strings.Replace(s.collection, "{flowId}", p.Doc["id"].(string), 1))
		}
	}
	if kind == KindFlow {
		paths = nil
		for _, c := range flowClasses {
			paths = append(paths, coll+"?flowClass="+c)
		}
	}
	for i, p := range paths {
		items, err := r.list(p)
		if err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.RouteMissing() {
				r.skipped = append(r.skipped, Skip{Kind: kind, Name: "all", Reason: fmt.Sprintf("weir does not serve GET %s yet", pattern(s.collection))})
				return nil
			}
			return err
		}
		for _, it := range items {
			res, err := r.resource(kind, s, it, p)
			if err != nil {
				return err
			}
			if strings.Contains(coll, "{flowId}") {
				res.Doc["flowId"] = parents[i].Doc["id"]
			}
			r.tpl.Resources = append(r.tpl.Resources, res)
		}
	}
	return nil
}

// resource turns one listed item into a template resource, reading what a
// list leaves out (a view's body, a table's rows, a file's content).
func (r *exportRun) resource(kind string, s spec, it Doc, coll string) (*Resource, error) {
	id, _ := it["id"].(string)
	base := strings.SplitN(coll, "?", 2)[0]
	switch kind {
	case KindExperienceView, KindFlow, KindFlowVersion:
		var full Doc
		if err := r.ex.Client.do(r.ctx, "GET", base+"/"+url.PathEscape(id), nil, &full); err != nil {
			return nil, err
		}
		it = full
	}
	res := &Resource{Kind: kind, ID: id}
	fields := s.fields
	switch kind {
	case KindExperienceView:
		body, _ := it["body"].(string)
		res.Content = []byte(body)
		fields = append([]string{"version"}, without(fields, "body")...)
	case KindExperienceEndpoint:
		fields = append([]string{"version"}, fields...)
	case KindExperienceVersion:
		fields = append([]string{"version"}, fields...)
	case KindWebhook:
		fields = append([]string{"token"}, fields...)
	case KindExperienceUser:
		fields = without(fields, "password")
		if _, ok := it["experienceGroups"]; ok {
			it["experienceGroupIds"] = groupIDs(it)
		}
	case KindDevice, KindExperienceGroup:
		res.Parent, _ = it["parentId"].(string)
		fields = without(fields, "parentId")
	case KindFile:
		fields = append([]string{"url"}, fields...)
	}
	if fields == nil {
		res.Doc = Doc{}
		for k, v := range it {
			if !exportFields[k] {
				res.Doc[k] = v
			}
		}
	} else {
		res.Doc = keep(it, fields)
	}
	res.Doc["id"] = id
	switch kind {
	case KindDataTable:
		rows, err := r.list(base + "/" + id + "/rows")
		var ae *APIError
		if errors.As(err, &ae) && ae.RouteMissing() {
			r.skipped = append(r.skipped, Skip{Kind: KindDataTableRow, Name: res.Name(), Reason: "weir does not serve GET /applications/{applicationId}/data-tables/{dataTableId}/rows yet"})
		} else if err != nil {
			return nil, err
		}
		res.Rows = rows
	case KindFile:
		if err := r.download(res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// list reads every page of a list: Losant's {items, totalCount} pages
// (page/perPage), or rows' {items, totalCount} windows (offset/limit).
func (r *exportRun) list(p string) ([]Doc, error) {
	const per = 1000
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	var all []Doc
	for page := 0; ; page++ {
		var out struct {
			Items      []Doc `json:"items"`
			TotalCount int   `json:"totalCount"`
		}
		q := fmt.Sprintf("%sperPage=%d&page=%d", sep, per, page)
		if strings.HasSuffix(strings.SplitN(p, "?", 2)[0], "/rows") {
			q = fmt.Sprintf("%slimit=%d&offset=%d", sep, per, page*per)
		}
		if err := r.ex.Client.do(r.ctx, "GET", p+q, nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if len(out.Items) < per || len(all) >= out.TotalCount {
			return all, nil
		}
	}
}

// download reads a file's content from its url, when weir serves it.
func (r *exportRun) download(res *Resource) error {
	raw, _ := res.Doc["url"].(string)
	delete(res.Doc, "url")
	if raw == "" || res.Doc["type"] == "directory" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("file %q: its url %q: %w", res.Name(), raw, err)
	}
	b, err := r.ex.Client.raw(r.ctx, u.RequestURI())
	if err != nil {
		return fmt.Errorf("file %q: %w", res.Name(), err)
	}
	res.Content = b
	return nil
}

// placeholders gives every resource a placeholder named after it and
// rewrites every id to its placeholder.
func (r *exportRun) placeholders() {
	m := refs{}
	a := r.tpl.Application
	r.assign(m, a, KindApplication)
	for _, res := range r.tpl.Resources {
		r.assign(m, res, res.Kind)
		if res.Kind == KindWebhook {
			if tok, _ := res.Doc["token"].(string); tok != "" {
				ph := strings.Replace(res.ID, "-webhook-", "-webhookToken-", 1)
				m.set(tok, ph)
				res.Doc["token"] = ph
			}
		}
		if res.Kind == KindFlow && res.Doc["flowClass"] == "experience" {
			res.Aliases = []string{strings.Replace(res.ID, "-flow-", "-flowVersion-", 1)}
		}
	}
	for _, res := range append([]*Resource{a}, r.tpl.Resources...) {
		res.Doc, _ = m.rewrite(res.Doc).(map[string]any)
		if res.Parent != "" {
			res.Parent = m.replace(res.Parent)
		}
		if res.Kind == KindExperienceView {
			res.Content = []byte(m.replace(string(res.Content)))
		}
		for i, row := range res.Rows {
			res.Rows[i], _ = m.rewrite(row).(map[string]any)
		}
	}
}

// assign names res's placeholder, unique within the export.
func (r *exportRun) assign(m refs, res *Resource, kind string) {
	name := res.Name()
	if kind == KindExperienceEndpoint {
		method, _ := res.Doc["method"].(string)
		route, _ := res.Doc["route"].(string)
		name = method + " " + route
	}
	ph := Placeholder(kind, name)
	for i := 2; r.names[ph]; i++ {
		ph = Placeholder(kind, fmt.Sprintf("%s %d", name, i))
	}
	r.names[ph] = true
	m.set(res.ID, ph)
	res.ID = ph
}

// keep returns the fields of doc named in fields that doc has.
func keep(doc Doc, fields []string) Doc {
	out := Doc{}
	for _, k := range fields {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	return out
}

// without returns list without s.
func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// groupIDs returns the ids of an experience user's groups, which the API
// answers as experienceGroups and the create action takes as
// experienceGroupIds.
func groupIDs(user Doc) []any {
	ids := []any{}
	groups, _ := user["experienceGroups"].([]any)
	for _, g := range groups {
		if g, ok := g.(map[string]any); ok && g["id"] != nil {
			ids = append(ids, g["id"])
		}
	}
	return ids
}
