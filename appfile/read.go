package appfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/weirhq/weir/flowfile"
)

// Limits of what Read accepts.
const (
	// MaxFileBytes is the largest file Read reads.
	MaxFileBytes = 32 << 20
	// MaxResources is the most resources one template may hold.
	MaxResources = 100000
)

// kindOf maps a template envelope's resourceType to a kind.
var kindOf = map[string]string{
	"Application":           KindApplication,
	"DeviceTree":            KindDevice,
	"Device":                KindDevice,
	"DeviceRecipe":          KindDeviceRecipe,
	"DataTable":             KindDataTable,
	"Webhook":               KindWebhook,
	"ExperienceGroupTree":   KindExperienceGroup,
	"ExperienceGroup":       KindExperienceGroup,
	"ExperienceUser":        KindExperienceUser,
	"ExperienceVersion":     KindExperienceVersion,
	"ExperienceView":        KindExperienceView,
	"ExperienceEndpoint":    KindExperienceEndpoint,
	"Flow":                  KindFlow,
	"ExperienceFlowVersion": KindFlow,
	"FlowVersion":           KindFlowVersion,
	"Dashboard":             KindDashboard,
	"Notebook":              KindNotebook,
	"ResourceJob":           KindResourceJob,
}

// Read reads an application export or template directory: application.yaml
// and every other YAML or JSON resource file below the directory
// (devices.yaml, deviceRecipes.yaml, dataTables/ with their CSV rows,
// experience/ with the views' template files, workflows/, workflowVersions/,
// dashboards/, …), and the application files below files/. It fails on a
// file it cannot read or parse, naming the file; files that hold no
// resource (a README, an image, a template index) are listed in Ignored.
func Read(fsys fs.FS) (*Template, error) {
	t := &Template{}
	filesDir := "files"
	if b, err := readFile(fsys, "application.yaml"); err != nil {
		return nil, errors.New("appfile: application.yaml: " + errText(err))
	} else if err := t.addEnvelope(fsys, "application.yaml", b); err != nil {
		return nil, err
	}
	if t.Application == nil {
		return nil, errors.New("appfile: application.yaml holds no Application resource")
	}
	if p, ok := t.Application.Doc["filesPath"].(string); ok && p != "" {
		filesDir = path.Clean(strings.TrimPrefix(p, "./"))
	}
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == filesDir {
				return fs.SkipDir
			}
			return nil
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("appfile: %w", err)
	}
	sort.Strings(names)
	for _, p := range names {
		ext := strings.ToLower(path.Ext(p))
		if p == "application.yaml" || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			continue // template files, READMEs and images are read through the resources naming them
		}
		b, err := readFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("appfile: %s: %s", p, errText(err))
		}
		if err := t.addEnvelope(fsys, p, b); err != nil {
			return nil, err
		}
	}
	if err := t.readFiles(fsys, filesDir); err != nil {
		return nil, err
	}
	if len(t.Resources) > MaxResources {
		return nil, fmt.Errorf("appfile: the template holds %d resources, more than %d", len(t.Resources), MaxResources)
	}
	return t, nil
}

// addEnvelope adds the resources of one {resourceType, resources} file.
func (t *Template) addEnvelope(fsys fs.FS, p string, data []byte) error {
	js, err := flowfile.ToJSON(data)
	if err != nil {
		return fmt.Errorf("appfile: %s: %s", p, strings.TrimPrefix(err.Error(), "flowfile: "))
	}
	var env struct {
		ResourceType *string `json:"resourceType"`
		Resources    []Doc   `json:"resources"`
	}
	if err := decode(js, &env); err != nil {
		return fmt.Errorf("appfile: %s: not a template resource file: %v", p, err)
	}
	if env.ResourceType == nil {
		t.Ignored = append(t.Ignored, Skip{Kind: "file", Name: p, Reason: "not a resource file (no resourceType)"})
		return nil
	}
	kind, ok := kindOf[*env.ResourceType]
	if !ok {
		t.Ignored = append(t.Ignored, Skip{Kind: *env.ResourceType, Name: p, Reason: "resource type unknown to weir"})
		return nil
	}
	dir := path.Dir(p)
	for i, doc := range env.Resources {
		if doc == nil {
			return fmt.Errorf("appfile: %s: resources.%d is not an object", p, i)
		}
		r := &Resource{Kind: kind, Doc: doc, Path: p}
		r.ID, _ = doc["id"].(string)
		switch {
		case kind == KindApplication:
			if t.Application != nil {
				return fmt.Errorf("appfile: %s: more than one application", p)
			}
			t.Application = r
			continue
		case kind == KindFlow && doc["enabled"] == nil:
			// A flow the file does not say is enabled is imported disabled,
			// as weir flow import does.
			doc["enabled"] = false
		}
		switch {
		case kind == KindFlow && *env.ResourceType == "ExperienceFlowVersion":
			// The develop version of an experience flow: the flow itself.
			if fid, ok := doc["flowId"].(string); ok && fid != "" {
				if r.ID != "" {
					r.Aliases = append(r.Aliases, r.ID)
				}
				r.ID = fid
			}
			if _, ok := doc["flowClass"]; !ok {
				doc["flowClass"] = "experience"
			}
		}
		if err := t.addContent(fsys, dir, r); err != nil {
			return err
		}
		if kind == KindDevice || kind == KindExperienceGroup {
			t.addTree(r, "")
			continue
		}
		t.Resources = append(t.Resources, r)
	}
	return nil
}

// addTree adds a device or group and its children (depth first, parents
// before children), each child naming its parent.
func (t *Template) addTree(r *Resource, parent string) {
	r.Parent = parent
	children, _ := r.Doc["children"].([]any)
	delete(r.Doc, "children")
	t.Resources = append(t.Resources, r)
	for _, c := range children {
		doc, ok := c.(map[string]any)
		if !ok {
			continue
		}
		child := &Resource{Kind: r.Kind, Doc: doc, Path: r.Path}
		child.ID, _ = doc["id"].(string)
		t.addTree(child, r.ID)
	}
}

// addContent reads the file a view or data table names (localFilename).
func (t *Template) addContent(fsys fs.FS, dir string, r *Resource) error {
	name, _ := r.Doc["localFilename"].(string)
	if name == "" || (r.Kind != KindExperienceView && r.Kind != KindDataTable) {
		return nil
	}
	p := path.Join(dir, name)
	b, err := readFile(fsys, p)
	if err != nil {
		return fmt.Errorf("appfile: %s: %s names %s: %s", r.Path, r.Name(), p, errText(err))
	}
	if r.Kind == KindExperienceView {
		r.Content = b
		return nil
	}
	rows, err := parseRows(b, r.Doc)
	if err != nil {
		return fmt.Errorf("appfile: %s: %v", p, err)
	}
	r.Rows = rows
	return nil
}

// parseRows reads a data table's CSV: a header of column names (the first
// may be the row id, "id"), one row per line. Values are typed by the
// table's columns: numbers and booleans as such. An empty cell is left out
// (null), but for a required string column, whose value it must then be,
// is the empty string: a CSV writes both alike.
func parseRows(b []byte, table Doc) ([]Doc, error) {
	types := map[string]string{}
	required := map[string]bool{}
	if cols, ok := table["columns"].([]any); ok {
		for _, c := range cols {
			if m, ok := c.(map[string]any); ok {
				n, _ := m["name"].(string)
				dt, _ := m["dataType"].(string)
				types[n] = dt
				required[n] = m["constraint"] == "required"
			}
		}
	}
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	head := recs[0]
	rows := make([]Doc, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		if len(rec) != len(head) {
			return nil, fmt.Errorf("row %d has %d fields, the header %d", i+1, len(rec), len(head))
		}
		row := Doc{}
		for j, v := range rec {
			col := head[j]
			if v == "" {
				if required[col] && types[col] == "string" {
					row[col] = ""
				}
				continue
			}
			switch types[col] {
			case "number":
				n := json.Number(v)
				if _, err := n.Float64(); err != nil {
					return nil, fmt.Errorf("row %d: %s: %q is not a number", i+1, col, v)
				}
				row[col] = n
			case "boolean":
				row[col] = v == "true" || v == "1"
			default:
				row[col] = v
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// readFiles adds the application files below dir: directories first, each
// before what it holds.
func (t *Template) readFiles(fsys fs.FS, dir string) error {
	if _, err := fs.Stat(fsys, dir); err != nil {
		return nil
	}
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("appfile: %w", err)
		}
		if p == dir {
			return nil
		}
		rel := strings.TrimPrefix(p, dir+"/")
		parent := "/" + path.Dir(rel)
		if parent == "/." {
			parent = "/"
		}
		r := &Resource{Kind: KindFile, Path: p, Doc: Doc{"name": d.Name(), "parentDirectory": parent}}
		if d.IsDir() {
			r.Doc["type"] = "directory"
		} else {
			b, err := readFile(fsys, p)
			if err != nil {
				return fmt.Errorf("appfile: %s: %s", p, errText(err))
			}
			r.Doc["type"], r.Content = "file", b
			r.Doc["fileSize"] = json.Number(fmt.Sprint(len(b)))
			r.Doc["contentType"] = contentType(d.Name())
		}
		t.Resources = append(t.Resources, r)
		return nil
	})
}

// readFile reads a file of at most MaxFileBytes.
func readFile(fsys fs.FS, p string) ([]byte, error) {
	if st, err := fs.Stat(fsys, p); err != nil {
		return nil, err
	} else if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileBytes)
	}
	return fs.ReadFile(fsys, p)
}

// decode unmarshals JSON keeping numbers as json.Number.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// errText is an error's message without the path an fs error repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
