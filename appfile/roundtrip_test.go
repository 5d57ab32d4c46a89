package appfile_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/appfile"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// newClient returns a client of a weir API over a fresh SQLite store on
// disk, wired as weir app import wires it, as the owner.
func newClient(t testing.TB) *appfile.Client {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	signer := &auth.Signer{Key: []byte("appfile test key appfile test k!")}
	s := weirhttp.NewServer()
	s.Signer = signer
	s.MaxBodyBytes = 64 << 20
	s.UseServices(db)
	rec := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: weir.NewID(), Scope: []string{"all.User"}, Status: weir.TokenActive, Name: "test"}
	tok, err := signer.Sign(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	return &appfile.Client{Handler: s.Handler(), Token: tok}
}

// explained are the reasons an import may skip a resource for: a route
// weir does not serve yet, or a refusal naming what weir does not support.
var explained = regexp.MustCompile(`^weir does not serve (GET|POST|PATCH) /\S+ yet$|` +
	`^weir refused it: .+ (is|are) not supported yet$`)

// TestRoundTrip imports each template of testdata/templates (copies of
// Losant's library templates) into weir, checks that every skip is
// explained, exports the application and checks that what was imported
// comes back equal: the same resources with the same fields, references
// between them pointing at the same resources.
func TestRoundTrip(t *testing.T) {
	dirs, err := filepath.Glob("testdata/templates/*/application.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, d := range dirs {
		dir := filepath.Dir(d)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			roundTrip(t, newClient(t), dir)
		})
	}
}

// TestRoundTripLibrary does the same over every application template below
// the directory WEIR_TEST_APP_TEMPLATES names (a checkout of Losant's
// template library), and logs the counts.
func TestRoundTripLibrary(t *testing.T) {
	root := os.Getenv("WEIR_TEST_APP_TEMPLATES")
	if root == "" {
		t.Skip("WEIR_TEST_APP_TEMPLATES names no template library")
	}
	var dirs []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "application.yaml" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	created, skipped, dropped, kept := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	notRun := map[string]int{}
	c := newClient(t)
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			rep := roundTrip(t, c, dir)
			for k, n := range rep.Created {
				created[k] += n
			}
			for k, n := range rep.KeptNotRun {
				notRun[k] += n
			}
			for _, s := range rep.Skipped {
				skipped[s.Kind+": "+s.Reason]++
			}
			for k, fields := range rep.Dropped {
				for _, f := range fields {
					dropped[k+"."+f]++
				}
			}
			for _, p := range rep.Kept {
				kept[p]++
			}
		})
	}
	t.Logf("%d templates; created %v; kept, not run %v", len(dirs), created, notRun)
	for _, k := range slices.Sorted(maps.Keys(skipped)) {
		t.Logf("skipped %d %s", skipped[k], k)
	}
	t.Logf("fields not kept (templates): %v", dropped)
	t.Logf("placeholders naming nothing of their template (templates): %v", kept)
}

// roundTrip imports dir, checks the skips, the fields not kept and the
// export.
func roundTrip(t *testing.T, c *appfile.Client, dir string) *appfile.Report {
	t.Helper()
	in, err := appfile.Read(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rep, err := (&appfile.Importer{Client: c, Fields: weirhttp.SchemaFields}).Import(t.Context(), in)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	for _, s := range rep.Skipped {
		if !explained.MatchString(s.Reason) {
			t.Errorf("skipped %s %q: %s: not an explained skip", s.Kind, s.Name, s.Reason)
		}
	}
	// weir keeps every field of a template.
	for _, kind := range slices.Sorted(maps.Keys(rep.Dropped)) {
		for _, f := range rep.Dropped[kind] {
			t.Errorf("%s.%s: in the template, not kept by weir", kind, f)
		}
	}
	out, _, err := (&appfile.Exporter{Client: c}).Export(t.Context(), rep.ApplicationID)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	// What is exported must read back as it was written.
	written := t.TempDir()
	if err := appfile.Write(written, out); err != nil {
		t.Fatalf("Write: %v", err)
	}
	back, err := appfile.Read(os.DirFS(written))
	if err != nil {
		t.Fatalf("Read of the export: %v", err)
	}
	skipped := map[string]bool{}
	for _, s := range rep.Skipped {
		skipped[s.Kind+"\x00"+s.Name] = true
	}
	want := canonical(in, rep, skipped)
	got := canonical(back, nil, nil)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: imported, not exported", k)
		} else if !reflect.DeepEqual(want[k], g) {
			t.Errorf("%s: exported differs: %s", k, diff("", g, want[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: exported, not imported", k)
		}
	}
	return rep
}

// refRE matches a placeholder or a 24-hex id.
var refRE = regexp.MustCompile(`~exportplaceholderid-[A-Za-z0-9]+-[A-Za-z0-9_]+~|\b[0-9A-Fa-f]{24}\b`)

// canonical returns the resources of tpl that were imported (all of them
// when rep is nil), keyed by kind and name, each document without the
// fields an export adds or weir does not keep, with references to other
// resources written as «kind:name».
func canonical(tpl *appfile.Template, rep *appfile.Report, skipped map[string]bool) map[string]any {
	names := map[string]string{}
	all := append([]*appfile.Resource{tpl.Application}, tpl.Resources...)
	for _, r := range all {
		if skipped[r.Kind+"\x00"+r.Name()] {
			continue
		}
		for _, id := range append([]string{r.ID}, r.Aliases...) {
			if id != "" {
				names[strings.ToLower(id)] = "«" + r.Kind + ":" + r.Name() + "»"
			}
		}
		if tok, _ := r.Doc["token"].(string); r.Kind == appfile.KindWebhook && tok != "" {
			names[strings.ToLower(tok)] = "«webhookToken:" + r.Name() + "»"
		}
	}
	out := map[string]any{}
	for _, r := range all {
		if skipped[r.Kind+"\x00"+r.Name()] {
			continue
		}
		d := map[string]any{}
		for k, v := range r.Doc {
			if ignoredField(r.Kind, k) || (rep != nil && (slices.Contains(rep.Dropped[r.Kind], k) || leftOut(rep, r, k))) {
				continue
			}
			d[k] = v
		}
		if r.Parent != "" {
			d["parentId"] = r.Parent
		}
		if len(r.Content) > 0 {
			d["content"] = string(r.Content)
		}
		if len(r.Rows) > 0 {
			rows := make([]any, len(r.Rows))
			for i, row := range r.Rows {
				row = maps.Clone(row)
				delete(row, "id") // the server's own column: a new id per row
				delete(row, "createdAt")
				delete(row, "updatedAt")
				rows[i] = row
			}
			d["rows"] = rows
		}
		b, _ := json.Marshal(d)
		text := refRE.ReplaceAllStringFunc(string(b), func(ref string) string {
			if n, ok := names[strings.ToLower(ref)]; ok {
				return n
			}
			return ref
		})
		var v any
		_ = json.Unmarshal([]byte(text), &v)
		out[r.Kind+" "+r.Name()] = normal(v)
	}
	return out
}

// leftOut reports whether the import left field k of r out.
func leftOut(rep *appfile.Report, r *appfile.Resource, k string) bool {
	return slices.ContainsFunc(rep.LeftOut, func(l appfile.LeftOut) bool {
		return l.Kind == r.Kind && l.Name == r.Name() && l.Field == k
	})
}

// ignoredField reports whether a field is the export's own (ids, hashes,
// file names) or describes the template rather than the application.
func ignoredField(kind, k string) bool {
	switch k {
	case "id", "exportHash", "localFilename", "children", "flowId", "version":
		return !(k == "version" && kind == appfile.KindFlowVersion)
	case "filesPath", "readmePath", "imagePath", "authorName", "authorUrl", "keywords", "category":
		return kind == appfile.KindApplication
	}
	return false
}

// normal drops empty strings, nulls, empty objects and empty lists, which an export and
// a template write or leave out alike.
func normal(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			e = normal(e)
			if e == nil || e == "" {
				continue
			}
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				continue
			}
			if l, ok := e.([]any); ok && len(l) == 0 {
				continue
			}
			if (k == "cloudOnly" || k == "isWebsocket") && e == false { // defaults, which one side leaves out
				continue
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normal(e)
		}
		return out
	}
	return v
}

// diff names the first place where got and want differ.
func diff(at string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		for _, k := range slices.Sorted(maps.Keys(w)) {
			if !reflect.DeepEqual(g[k], w[k]) {
				return diff(at+"."+k, g[k], w[k])
			}
		}
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, ok := w[k]; !ok {
				return diff(at+"."+k, g[k], nil)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		for i := range w {
			if !reflect.DeepEqual(g[i], w[i]) {
				return diff(fmt.Sprintf("%s[%d]", at, i), g[i], w[i])
			}
		}
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	return fmt.Sprintf("%s: got %.500s, want %.500s", at, gj, wj)
}
