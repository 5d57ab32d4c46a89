package appfile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/weirhq/weir"
)

// Importer creates a template's resources through weir's REST API.
type Importer struct {
	Client *Client
	// Fields, when set, returns the top-level fields of weir's body schema
	// of that name ("devicePost"), false when weir has none: a body is cut
	// to what weir accepts, and what it cuts is reported.
	Fields func(schema string) ([]string, bool)
	// Leave names kinds to leave out (KindDevice, "dataTableRow",
	// KindFile, …), with the reason the report gives.
	Leave map[string]string
	// NewPassword returns the password of an imported experience user
	// (templates hold none); default: a random one nobody knows, to be
	// reset.
	NewPassword func() string
}

// Report is what an import did.
type Report struct {
	ApplicationID string `json:"applicationId"`
	// Created counts the resources created, by kind (data table rows as
	// KindDataTableRow).
	Created map[string]int `json:"created"`
	// KeptNotRun counts, by kind, the dashboards, notebooks and resource
	// jobs weir keeps for an export but does not run (not in Created).
	KeptNotRun map[string]int `json:"keptNotRun,omitempty"`
	// Skipped lists the resources left out, with the reason.
	Skipped []Skip `json:"skipped,omitempty"`
	// Dropped lists, by kind, the fields of the template weir's API does
	// not take, sorted.
	Dropped map[string][]string `json:"dropped,omitempty"`
	// LeftOut lists the fields of created resources left out because weir
	// refused them (an application's endpointSlug another application of
	// the instance has), with weir's reason.
	LeftOut []LeftOut `json:"leftOut,omitempty"`
	// Unresolved lists, sorted, the references to resources of the
	// template that were skipped, left as the template wrote them.
	Unresolved []string `json:"unresolved,omitempty"`
	// Kept lists, sorted, the placeholders that name nothing of the
	// template (Losant's domains, ~exportplaceholderid-docs-url~ and the
	// like), left as written.
	Kept []string `json:"kept,omitempty"`
	// IDs maps the template's ids to the new ones.
	IDs map[string]string `json:"ids"`
}

// LeftOut is a field of a created resource that weir refused, so the
// resource was created without it.
type LeftOut struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// created is a resource the import created, with what it still refers to.
type created struct {
	res     *Resource
	item    string // path of the resource
	schema  string
	body    Doc // the body posted, references unresolved at the time kept
	pending []string
	leftOut []string // fields weir refused, never sent again
}

// importRun is the state of one import.
type importRun struct {
	im      *Importer
	ctx     context.Context
	tpl     *Template
	app     string
	refs    refs
	known   map[string]bool     // ids of the template's resources
	missing map[string]string   // kind -> why weir cannot create it
	dropped map[string][]string // kind -> fields cut
	done    []*created
	rep     *Report
}

// Import creates an application from tpl, then its resources in dependency
// order, rewriting every reference to a template id into the new id. A kind
// whose route weir does not serve is skipped with that reason, and so is a
// resource weir refuses (4xx) with weir's message; references to either
// stay as the template wrote them. Any other failure ends the import,
// deletes the application (and with it what was created) and returns the
// error naming the resource.
func (im *Importer) Import(ctx context.Context, tpl *Template) (*Report, error) {
	r := &importRun{im: im, ctx: ctx, tpl: tpl, refs: refs{}, known: map[string]bool{},
		missing: map[string]string{}, dropped: map[string][]string{},
		rep: &Report{Created: map[string]int{}, IDs: map[string]string{}}}
	for _, res := range append([]*Resource{tpl.Application}, tpl.Resources...) {
		for _, id := range append([]string{res.ID}, res.Aliases...) {
			if id != "" {
				r.known[norm(id)] = true
			}
		}
		if res.Kind == KindWebhook {
			if tok, ok := res.Doc["token"].(string); ok && tok != "" {
				r.known[norm(tok)] = true
			}
		}
	}
	if err := r.createApplication(); err != nil {
		return nil, err
	}
	err := r.createAll()
	if err == nil {
		err = r.fixup()
	}
	if err != nil {
		_ = im.Client.do(context.WithoutCancel(ctx), "DELETE", "/applications/"+r.app, nil, nil)
		return nil, err
	}
	r.finish()
	return r.rep, nil
}

func (r *importRun) createApplication() error {
	a := r.tpl.Application
	// What the application's globals say of other resources (its own id
	// included) is set by fixup, once they exist.
	c := &created{res: a, schema: "applicationPatch"}
	c.body, c.pending = r.resolve(r.body(a, spec{fields: applicationFields}, "applicationPost", true))
	var out Doc
	err := r.im.Client.do(r.ctx, "POST", "/applications", c.body, &out)
	var ae *APIError
	if _, ok := c.body["endpointSlug"]; ok && errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 {
		// An endpointSlug is unique across the instance (another
		// application may have it): the application is created without it
		// when that is what weir refused.
		slug := c.body["endpointSlug"]
		delete(c.body, "endpointSlug")
		out = nil
		if err = r.im.Client.do(r.ctx, "POST", "/applications", c.body, &out); err == nil {
			c.leftOut = append(c.leftOut, "endpointSlug")
			r.rep.LeftOut = append(r.rep.LeftOut, LeftOut{Kind: KindApplication, Name: a.Name(), Field: "endpointSlug",
				Reason: fmt.Sprintf("weir refused %v: %s", slug, ae.Message)})
		}
	}
	if err != nil {
		return fmt.Errorf("application %q: %w", a.Name(), err)
	}
	r.kept(KindApplication, c.body, out)
	r.app, _ = out["id"].(string)
	c.item = "/applications/" + r.app
	r.rep.ApplicationID = r.app
	r.refs.set(a.ID, r.app)
	r.rep.Created[KindApplication]++
	r.done = append(r.done, c)
	return nil
}

// applicationFields are the fields of Losant's application create action
// an application template carries.
var applicationFields = []string{"name", "description", "globals", "blobUrlTTL", "endpointSlug", "endpointDefaultCors"}

// createAll creates the resources kind by kind, in specs order.
func (r *importRun) createAll() error {
	for _, s := range specs {
		list := r.tpl.Of(s.kind)
		switch s.kind {
		case KindExperienceView:
			sortViews(list)
		case KindFlow:
			sortFlows(list)
		}
		for _, res := range list {
			if err := r.create(res, s.spec); err != nil {
				return err
			}
		}
	}
	return nil
}

// create creates one resource.
func (r *importRun) create(res *Resource, s spec) error {
	if why, ok := r.missing[res.Kind]; ok {
		r.skip(res, why)
		return nil
	}
	if why, ok := r.im.Leave[res.Kind]; ok {
		r.skip(res, why)
		return nil
	}
	coll, ok := r.collection(res, s.collection)
	if !ok {
		r.skip(res, "what it belongs to was not imported: "+s.collection)
		return nil
	}
	post := s.schema + "Post"
	if s.patchOnly {
		post = s.schema + "Patch"
	}
	body := r.body(res, s, post, true)
	switch res.Kind {
	case KindExperienceView:
		body["body"] = r.refs.replace(string(res.Content))
	case KindExperienceUser:
		body["password"] = r.password()
	case KindDevice, KindExperienceGroup:
		if res.Parent != "" {
			body["parentId"] = res.Parent
		}
	}
	c := &created{res: res, schema: s.schema + "Patch"}
	c.body, c.pending = r.resolve(body)
	method, path := "POST", coll
	if s.patchOnly {
		name, _ := res.Doc["version"].(string)
		method, path = "PATCH", coll+"/"+name
	}
	var out Doc
	if err := r.im.Client.do(r.ctx, method, path, c.body, &out); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.RouteMissing() {
			p := pattern(s.collection)
			if s.patchOnly {
				p += "/{version}"
			}
			why := fmt.Sprintf("weir does not serve %s %s yet", method, p)
			r.missing[res.Kind] = why
			r.skip(res, why)
			return nil
		}
		if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 {
			r.skip(res, "weir refused it: "+ae.Message)
			return nil
		}
		return fmt.Errorf("%s %q (%s): %w", res.Kind, res.Name(), res.Path, err)
	}
	r.kept(res.Kind, c.body, out)
	id, _ := out["id"].(string)
	if s.patchOnly {
		id = name(res)
	}
	c.item = path
	if !s.patchOnly {
		c.item = coll + "/" + id
	}
	for _, from := range append([]string{res.ID}, res.Aliases...) {
		r.refs.set(from, id)
	}
	if res.Kind == KindWebhook {
		tok, _ := res.Doc["token"].(string)
		newTok, _ := out["token"].(string)
		r.refs.set(tok, newTok)
	}
	if notRun[res.Kind] {
		if r.rep.KeptNotRun == nil {
			r.rep.KeptNotRun = map[string]int{}
		}
		r.rep.KeptNotRun[res.Kind]++
	} else {
		r.rep.Created[res.Kind]++
	}
	r.done = append(r.done, c)
	switch res.Kind {
	case KindDataTable:
		return r.insertRows(res, c.item)
	case KindFile:
		return r.upload(res, out)
	}
	return nil
}

// body returns the fields of res's document a create action takes: those
// of s (or all but the export's own), cut to weir's schema.
func (r *importRun) body(res *Resource, s spec, schema string, record bool) Doc {
	allowed := map[string]bool{}
	if s.fields == nil {
		for k := range res.Doc {
			allowed[k] = !exportFields[k]
		}
	} else {
		for _, k := range s.fields {
			allowed[k] = true
		}
	}
	if r.im.Fields != nil {
		if weirs, ok := r.im.Fields(schema); ok {
			has := map[string]bool{}
			for _, k := range weirs {
				has[k] = true
			}
			for k := range allowed {
				allowed[k] = allowed[k] && has[k]
			}
		}
	}
	body := Doc{}
	for k, v := range res.Doc {
		switch {
		case allowed[k]:
			body[k] = clone(v)
		case !exportFields[k] && !(res.Kind == KindExperienceView && k == "version") &&
			!(res.Kind == KindExperienceEndpoint && k == "version") && !(res.Kind == KindExperienceVersion && k == "version") &&
			!(res.Kind == KindWebhook && k == "token") && !(res.Kind == KindApplication && isTemplateInfo(k)) &&
			!(res.Kind == KindFlow && k == "version") && record:
			r.drop(res.Kind, k)
		}
	}
	return body
}

// isTemplateInfo reports whether an application field describes the
// template for a library (not the application).
func isTemplateInfo(k string) bool {
	switch k {
	case "filesPath", "readmePath", "imagePath", "authorName", "authorUrl", "keywords", "category":
		return true
	}
	return false
}

// resolve rewrites the known references of body and lists those still
// pending. A field whose whole value is a pending reference is left out
// (the server would refuse it as an id); fixup sets it later.
func (r *importRun) resolve(body Doc) (Doc, []string) {
	out, _ := r.refs.rewrite(body).(map[string]any)
	var pending []string
	for k, v := range out {
		s, _ := v.(string)
		if s != "" && r.known[norm(s)] {
			if _, ok := r.refs.get(s); !ok {
				delete(out, k)
				pending = append(pending, s)
			}
		}
	}
	text := mustJSON(out)
	pending = append(pending, r.refs.found(text, r.known)...)
	return out, pending
}

// collection fills the path's {field} parts with the resolved ids of the
// document's fields and puts it below the application.
func (r *importRun) collection(res *Resource, p string) (string, bool) {
	for {
		i := strings.Index(p, "{")
		if i < 0 {
			break
		}
		j := strings.Index(p[i:], "}") + i
		ref, _ := res.Doc[p[i+1:j]].(string)
		id, ok := r.refs.get(ref)
		if !ok {
			return "", false
		}
		p = p[:i] + id + p[j+1:]
	}
	return "/applications/" + r.app + p, true
}

// insertRows adds a data table's rows, in batches of rowBatch. A batch
// weir refuses is sent again row by row, so that one row weir refuses is
// skipped with weir's message and the others are kept. The rows' own ids
// and dates (Losant's system columns) are left to weir.
func (r *importRun) insertRows(res *Resource, item string) error {
	if len(res.Rows) == 0 {
		return nil
	}
	if why, ok := r.im.Leave[KindDataTableRow]; ok {
		r.skipRows(res, len(res.Rows), why)
		return nil
	}
	for i := 0; i < len(res.Rows); i += rowBatch {
		rows := res.Rows[i:min(i+rowBatch, len(res.Rows))]
		body := make([]any, len(rows))
		for j, row := range rows {
			body[j] = r.refs.rewrite(withoutSystemColumns(row))
		}
		err := r.im.Client.do(r.ctx, "POST", item+"/rows", body, nil)
		if err == nil {
			r.rep.Created[KindDataTableRow] += len(rows)
			continue
		}
		var ae *APIError
		switch {
		case errors.As(err, &ae) && ae.RouteMissing():
			r.skipRows(res, len(res.Rows)-i, "weir does not serve POST /applications/{applicationId}/data-tables/{dataTableId}/rows yet")
			return nil
		case !errors.As(err, &ae) || ae.Status >= 500:
			return fmt.Errorf("rows of data table %q: %w", res.Name(), err)
		}
		for j, row := range body {
			err := r.im.Client.do(r.ctx, "POST", item+"/rows", row, nil)
			switch {
			case err == nil:
				r.rep.Created[KindDataTableRow]++
			case errors.As(err, &ae) && ae.Status < 500:
				r.rep.Skipped = append(r.rep.Skipped, Skip{Kind: KindDataTableRow, Name: fmt.Sprintf("%s row %d", res.Name(), i+j+1),
					Reason: "weir refused it: " + ae.Message})
			default:
				return fmt.Errorf("row %d of data table %q: %w", i+j+1, res.Name(), err)
			}
		}
	}
	return nil
}

// rowBatch is how many rows one insert carries.
const rowBatch = 500

// systemColumns are the columns every data table row has, set by the
// server.
var systemColumns = []string{"id", "createdAt", "updatedAt"}

// withoutSystemColumns returns row without the server's columns.
func withoutSystemColumns(row Doc) Doc {
	out := make(Doc, len(row))
	for k, v := range row {
		if !slices.Contains(systemColumns, k) {
			out[k] = v
		}
	}
	return out
}

func (r *importRun) skipRows(res *Resource, n int, why string) {
	r.rep.Skipped = append(r.rep.Skipped, Skip{Kind: KindDataTableRow, Name: fmt.Sprintf("%s (%d rows)", res.Name(), n), Reason: why})
}

// fixup sets, by PATCH, the references that were pending at creation and
// are known now.
func (r *importRun) fixup() error {
	for _, c := range r.done {
		if len(c.pending) == 0 {
			continue
		}
		resolvable := false
		for _, p := range c.pending {
			if _, ok := r.refs.get(p); ok {
				resolvable = true
			}
		}
		if !resolvable {
			continue
		}
		full := r.body(c.res, spec{fields: fieldsOf(c.res.Kind)}, c.schema, false)
		if c.res.Kind == KindExperienceView {
			full["body"] = string(c.res.Content)
		}
		if c.res.Parent != "" {
			full["parentId"] = c.res.Parent
		}
		for _, k := range c.leftOut {
			delete(full, k)
		}
		fixed, _ := r.resolve(full)
		patch := Doc{}
		for k, v := range fixed {
			if mustJSON(v) != mustJSON(c.body[k]) {
				patch[k] = v
			}
		}
		if len(patch) == 0 {
			continue
		}
		if err := r.im.Client.do(r.ctx, "PATCH", c.item, patch, nil); err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.Status < 500 {
				// Created, but naming what it names by placeholder.
				r.skip(c.res, "created, but setting its references to resources created after it was refused: "+ae.Message)
				continue
			}
			return fmt.Errorf("%s %q (%s): setting its references: %w", c.res.Kind, c.res.Name(), c.res.Path, err)
		}
	}
	return nil
}

// fieldsOf returns the create fields of kind.
func fieldsOf(kind string) []string {
	if kind == KindApplication {
		return applicationFields
	}
	s, _ := specOf(kind)
	return s.fields
}

// finish completes the report.
func (r *importRun) finish() {
	for k, v := range r.refs {
		r.rep.IDs[k] = v
	}
	seen := map[string]bool{}
	for _, c := range r.done {
		for _, p := range c.pending {
			if _, ok := r.refs.get(p); !ok && !seen[p] {
				seen[p] = true
				r.rep.Unresolved = append(r.rep.Unresolved, p)
			}
		}
	}
	sort.Strings(r.rep.Unresolved)
	kept := map[string]bool{}
	for _, res := range append([]*Resource{r.tpl.Application}, r.tpl.Resources...) {
		text := mustJSON(res.Doc) + string(res.Content) + mustJSON(res.Rows)
		for _, p := range placeholderAnyRE.FindAllString(text, -1) {
			if !r.known[p] && !kept[p] {
				kept[p] = true
				r.rep.Kept = append(r.rep.Kept, p)
			}
		}
	}
	sort.Strings(r.rep.Kept)
	if len(r.dropped) > 0 {
		r.rep.Dropped = map[string][]string{}
		for k, v := range r.dropped {
			sort.Strings(v)
			r.rep.Dropped[k] = v
		}
	}
}

// kept notes as dropped the fields of body that weir accepted but does not
// answer with, so does not keep (secrets, which no answer shows, and empty
// values, which lose nothing, aside).
func (r *importRun) kept(kind string, body, answer Doc) {
	for k, v := range body {
		if _, ok := answer[answeredAs[kind+"."+k]]; ok {
			continue
		}
		if _, ok := answer[k]; !ok && !secretFields[k] && !empty(v) {
			r.drop(kind, k)
		}
	}
}

// empty reports whether v says nothing: null, "", [] or {}.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// answeredAs names, by kind and field, the field an answer shows a body
// field as.
var answeredAs = map[string]string{KindExperienceUser + ".experienceGroupIds": "experienceGroups"}

// secretFields are the fields an answer never shows.
var secretFields = map[string]bool{"password": true, "basicAuthPassword": true}

func (r *importRun) skip(res *Resource, why string) {
	r.rep.Skipped = append(r.rep.Skipped, Skip{Kind: res.Kind, Name: res.Name(), Reason: why})
}

func (r *importRun) drop(kind, field string) {
	for _, f := range r.dropped[kind] {
		if f == field {
			return
		}
	}
	r.dropped[kind] = append(r.dropped[kind], field)
}

func (r *importRun) password() string {
	if r.im.NewPassword != nil {
		return r.im.NewPassword()
	}
	return weir.NewKey(32)
}

// name is the version name of an experience version resource.
func name(res *Resource) string {
	s, _ := res.Doc["version"].(string)
	return s
}

// pattern renders a collection path as Losant's documentation does.
func pattern(coll string) string {
	return "/applications/{applicationId}" + coll
}

// sortViews orders views layouts first, then components, then pages (a
// page names its layout), keeping the template's order within each.
func sortViews(list []*Resource) {
	rank := map[string]int{"layout": 0, "component": 1, "page": 2}
	sort.SliceStable(list, func(i, j int) bool {
		a, _ := list[i].Doc["viewType"].(string)
		b, _ := list[j].Doc["viewType"].(string)
		return rank[a] < rank[b]
	})
}

// sortFlows orders custom nodes before the flows that may call them.
func sortFlows(list []*Resource) {
	sort.SliceStable(list, func(i, j int) bool {
		a, _ := list[i].Doc["flowClass"].(string)
		b, _ := list[j].Doc["flowClass"].(string)
		return a == "customNode" && b != "customNode"
	})
}

func mustJSON(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}
