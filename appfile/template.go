package appfile

import "encoding/json"

// Kinds of resource, named as Losant's export placeholders name them
// (~exportplaceholderid-<kind>-<name>~).
const (
	KindApplication        = "application"
	KindDeviceRecipe       = "deviceRecipe"
	KindDevice             = "device"
	KindDataTable          = "dataTable"
	KindDataTableRow       = "dataTableRow" // a row of a data table, in reports
	KindWebhook            = "webhook"
	KindExperienceGroup    = "experienceGroup"
	KindExperienceUser     = "experienceUser"
	KindExperienceVersion  = "experienceVersion"
	KindExperienceView     = "experienceView"
	KindExperienceEndpoint = "experienceEndpoint"
	KindFile               = "file"
	KindFlow               = "flow"
	KindFlowVersion        = "flowVersion"
	KindDashboard          = "dashboard"
	KindNotebook           = "notebook"
	KindResourceJob        = "resourceJob"
)

// Doc is one resource document as the template has it, in JSON values
// (numbers as json.Number).
type Doc = map[string]any

// Resource is one resource of a template.
type Resource struct {
	Kind string
	// ID is the template's id of the resource: a placeholder, a 24-hex id
	// or empty.
	ID string
	// Aliases are further ids the template uses for the same resource (an
	// experience flow's develop version id).
	Aliases []string
	// Parent is the template id of the resource this one sits under in a
	// tree (devices, experience groups), or "".
	Parent string
	// Doc is the resource's document, without its children.
	Doc Doc
	// Content is what a view's template file or a file holds.
	Content []byte
	// Rows are a data table's rows, in the file's order, typed by column.
	Rows []Doc
	// Path is the file the resource came from, relative to the directory.
	Path string
}

// Name is how reports name the resource.
func (r *Resource) Name() string {
	for _, k := range []string{"name", "email", "route", "version", "key"} {
		if s, ok := r.Doc[k].(string); ok && s != "" {
			if k == "route" {
				if m, ok := r.Doc["method"].(string); ok {
					return m + " " + s
				}
			}
			return s
		}
	}
	return r.Path
}

// Template is an application export or template directory read into memory.
type Template struct {
	// Application is the application's own document (application.yaml).
	Application *Resource
	// Resources are every other resource, in the order Read found them.
	Resources []*Resource
	// Ignored lists files of the directory that hold no resource weir
	// reads, with the reason.
	Ignored []Skip
}

// Of returns the resources of one kind, in order.
func (t *Template) Of(kind string) []*Resource {
	var out []*Resource
	for _, r := range t.Resources {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// Skip is a resource, or a file, that an import or export left out, and why.
type Skip struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// clone returns a deep copy of a JSON value.
func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = decode(b, &out)
	return out
}
