package appfile

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Write writes tpl as an application template directory into dir (created
// when missing; files it writes are replaced): the layout Read reads, as
// Losant's exports lay it out.
func Write(dir string, tpl *Template) error {
	return write(&writer{dir: dir, used: map[string]bool{}}, tpl)
}

// WriteZip writes tpl as a zip of an application template directory, at
// the zip's root: what Write writes, and what ZipFS reads back.
func WriteZip(out io.Writer, tpl *Template) error {
	zw := zip.NewWriter(out)
	if err := write(&writer{zip: zw, used: map[string]bool{}}, tpl); err != nil {
		return err
	}
	return zw.Close()
}

func write(w *writer, tpl *Template) error {
	a := cloneDoc(tpl.Application.Doc)
	a["id"] = tpl.Application.ID
	w.envelope("application.yaml", "Application", []any{a})
	byKind := map[string][]*Resource{}
	for _, r := range tpl.Resources {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	if l := byKind[KindDevice]; len(l) > 0 {
		w.envelope("devices.yaml", "DeviceTree", tree(l))
	}
	if l := byKind[KindDeviceRecipe]; len(l) > 0 {
		w.envelope("deviceRecipes.yaml", "DeviceRecipe", docs(l))
	}
	if l := byKind[KindWebhook]; len(l) > 0 {
		w.envelope("webhooks.yaml", "Webhook", docs(l))
	}
	if l := byKind[KindResourceJob]; len(l) > 0 {
		w.envelope("resourceJobs.yaml", "ResourceJob", docs(l))
	}
	for _, t := range byKind[KindDataTable] {
		name := w.file("dataTables", t.Name(), ".yaml")
		d := doc(t)
		csvName := strings.TrimSuffix(filepath.Base(name), ".yaml") + ".csv"
		d["localFilename"] = "./" + csvName
		w.envelope(name, "DataTable", []any{d})
		w.put(filepath.Join("dataTables", csvName), rowsCSV(t))
	}
	if l := byKind[KindExperienceGroup]; len(l) > 0 {
		w.envelope("experience/groups.yaml", "ExperienceGroupTree", tree(l))
	}
	if l := byKind[KindExperienceUser]; len(l) > 0 {
		w.envelope("experience/users.yaml", "ExperienceUser", docs(l))
	}
	for _, v := range byKind[KindExperienceVersion] {
		w.envelope(filepath.Join("experience", versionDir(v), "version.yaml"), "ExperienceVersion", docs([]*Resource{v}))
	}
	byVersion := map[string][]*Resource{}
	for _, e := range byKind[KindExperienceEndpoint] {
		byVersion[versionDir(e)] = append(byVersion[versionDir(e)], e)
	}
	for _, v := range slices.Sorted(maps.Keys(byVersion)) {
		w.envelope(filepath.Join("experience", v, "endpoints.yaml"), "ExperienceEndpoint", docs(byVersion[v]))
	}
	views := map[string][]any{}
	for _, v := range byKind[KindExperienceView] {
		typ, _ := v.Doc["viewType"].(string)
		sub := filepath.Join("experience", versionDir(v), typ+"s")
		name := w.file(sub, v.Name(), ".hbs")
		w.put(name, v.Content)
		d := doc(v)
		d["localFilename"] = "./" + filepath.Base(name)
		views[sub] = append(views[sub], d)
	}
	for _, sub := range slices.Sorted(maps.Keys(views)) {
		w.envelope(filepath.Join(sub, filepath.Base(sub)+".yaml"), "ExperienceView", views[sub])
	}
	flowNames := map[string]string{}
	for _, f := range byKind[KindFlow] {
		class, _ := f.Doc["flowClass"].(string)
		flowNames[f.ID] = f.Name()
		d := doc(f)
		if class == "experience" {
			d["flowId"], d["version"] = f.ID, "develop"
			if len(f.Aliases) > 0 {
				d["id"] = f.Aliases[0]
			}
			w.envelope(w.file("experience/develop/workflows", f.Name(), ".yaml"), "ExperienceFlowVersion", []any{d})
			continue
		}
		sub := "workflows"
		if class != "cloud" && class != "" {
			sub = filepath.Join("workflows", class)
		}
		w.envelope(w.file(sub, f.Name(), ".yaml"), "Flow", []any{d})
	}
	for _, v := range byKind[KindFlowVersion] {
		fid, _ := v.Doc["flowId"].(string)
		w.envelope(w.file("workflowVersions", flowNames[fid]+" "+v.Name(), ".yaml"), "FlowVersion", docs([]*Resource{v}))
	}
	for _, d := range byKind[KindDashboard] {
		w.envelope(w.file("dashboards", d.Name(), ".yaml"), "Dashboard", docs([]*Resource{d}))
	}
	for _, n := range byKind[KindNotebook] {
		w.envelope(w.file("notebooks", n.Name(), ".yaml"), "Notebook", docs([]*Resource{n}))
	}
	for _, f := range byKind[KindFile] {
		parent, _ := f.Doc["parentDirectory"].(string)
		name, _ := f.Doc["name"].(string)
		p := filepath.Join("files", filepath.FromSlash(strings.TrimPrefix(parent, "/")), name)
		if !safeName(name) || !filepath.IsLocal(p) || !strings.HasPrefix(p, "files"+string(filepath.Separator)) {
			w.err = fmt.Errorf("appfile: file name %q cannot be written", name)
		} else if f.Doc["type"] == "directory" {
			w.mkdir(p)
		} else {
			w.put(p, f.Content)
		}
	}
	return w.err
}

// writer writes files below dir, or into zip when it is set, keeping the
// first error.
type writer struct {
	dir  string
	zip  *zip.Writer
	dirs map[string]bool // the directories put in zip
	used map[string]bool
	err  error
}

// file returns a path below sub for a resource named name, unique among
// the files written.
func (w *writer) file(sub, name, ext string) string {
	base := fileName(name)
	p := filepath.Join(sub, base+ext)
	for i := 2; w.used[p]; i++ {
		p = filepath.Join(sub, fmt.Sprintf("%s_%d%s", base, i, ext))
	}
	w.used[p] = true
	return p
}

func (w *writer) mkdir(p string) {
	if w.err != nil {
		return
	}
	if w.zip == nil {
		w.err = os.MkdirAll(filepath.Join(w.dir, p), 0o755)
		return
	}
	// A zip names each directory once, parents first ("files/", "files/a/").
	p = filepath.ToSlash(filepath.Clean(p))
	if p == "." || w.dirs[p] {
		return
	}
	w.mkdir(path.Dir(p))
	if w.dirs == nil {
		w.dirs = map[string]bool{}
	}
	w.dirs[p] = true
	if w.err == nil {
		_, w.err = w.zip.CreateHeader(&zip.FileHeader{Name: p + "/", Method: zip.Store, Modified: zipTime})
	}
}

func (w *writer) put(p string, b []byte) {
	if w.err != nil {
		return
	}
	w.mkdir(filepath.Dir(p))
	if w.err != nil {
		return
	}
	if w.zip == nil {
		w.err = os.WriteFile(filepath.Join(w.dir, p), b, 0o644)
		return
	}
	f, err := w.zip.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(p), Method: zip.Deflate, Modified: zipTime})
	if err == nil {
		_, err = f.Write(b)
	}
	w.err = err
}

// zipTime is the time of every zip entry: an export's zip depends on the
// application alone.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// envelope writes a {resourceType, resources, version: 1} YAML file.
func (w *writer) envelope(p, typ string, resources []any) {
	env := struct {
		ResourceType string `yaml:"resourceType"`
		Resources    []any  `yaml:"resources"`
		Version      int    `yaml:"version"`
	}{typ, yamlValues(resources).([]any), 1}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(env); err != nil && w.err == nil {
		w.err = fmt.Errorf("appfile: %s: %w", p, err)
	}
	w.put(p, buf.Bytes())
}

// yamlValues turns JSON numbers into Go numbers, which YAML writes bare.
func yamlValues(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = yamlValues(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlValues(e)
		}
		return out
	}
	return v
}

// doc returns a resource's document with its id.
func doc(r *Resource) Doc {
	d := cloneDoc(r.Doc)
	if r.ID != "" {
		d["id"] = r.ID
	}
	return d
}

func docs(l []*Resource) []any {
	out := make([]any, len(l))
	for i, r := range l {
		out[i] = doc(r)
	}
	return out
}

// tree nests devices or groups under their parents (children lists).
func tree(l []*Resource) []any {
	byID := map[string]Doc{}
	for _, r := range l {
		d := doc(r)
		d["children"] = []any{}
		byID[r.ID] = d
	}
	var roots []any
	for _, r := range l {
		d := byID[r.ID]
		if p, ok := byID[r.Parent]; ok && r.Parent != "" {
			p["children"] = append(p["children"].([]any), d)
			continue
		}
		roots = append(roots, d)
	}
	return roots
}

// rowsCSV writes a table's rows under a header of its columns.
func rowsCSV(t *Resource) []byte {
	var cols []string
	if list, ok := t.Doc["columns"].([]any); ok {
		for _, c := range list {
			if m, ok := c.(map[string]any); ok {
				n, _ := m["name"].(string)
				cols = append(cols, n)
			}
		}
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(append([]string{"id"}, cols...))
	for _, row := range t.Rows {
		rec := make([]string, 0, len(cols)+1)
		for _, c := range append([]string{"id"}, cols...) {
			switch v := row[c].(type) {
			case nil:
				rec = append(rec, "")
			case string:
				rec = append(rec, v)
			default:
				b, _ := json.Marshal(v)
				rec = append(rec, string(b))
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	return buf.Bytes()
}

// versionDir is the experience version a view or endpoint belongs to.
func versionDir(r *Resource) string {
	if v, ok := r.Doc["version"].(string); ok && safeName(v) {
		return v
	}
	return "develop"
}

var unsafeRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes a resource name a file name.
func fileName(name string) string {
	s := strings.Trim(unsafeRE.ReplaceAllString(name, "_"), "._")
	if s == "" {
		s = "unnamed"
	}
	return s
}

// safeName reports whether name can be a file name as it is.
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}

func cloneDoc(d Doc) Doc {
	out, _ := clone(d).(map[string]any)
	if out == nil {
		out = Doc{}
	}
	return out
}
