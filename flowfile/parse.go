package flowfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/weirhq/weir"
)

// Format is the container a file holds.
type Format string

// The container formats Parse recognises.
const (
	FormatFlow     Format = "flow"     // one flow object, possibly an editor export
	FormatBulk     Format = "bulk"     // {flows, flowVersions}
	FormatTemplate Format = "template" // {resourceType, resources}
	FormatIndex    Format = "index"    // a template directory index {name, description, resourceTypes}
)

// Resource types of the template envelope that hold workflows.
const (
	ResourceFlow                  = "Flow"
	ResourceFlowVersion           = "FlowVersion"
	ResourceExperienceFlowVersion = "ExperienceFlowVersion"
)

// File is what Parse found in a file.
type File struct {
	Format Format
	// ResourceType is the template envelope's resourceType ("" otherwise).
	ResourceType string
	// Flows are the flows of the file with their develop definitions. IDs
	// are the file's ids (24-hex ids, placeholders, or empty); ApplicationID,
	// dates and stats are left zero. Enabled is true only when the file says
	// so. An ExperienceFlowVersion of version "develop" is the develop
	// version of an experience flow and is listed here, not in Versions.
	Flows []*weir.Flow
	// Versions are the published flow versions of the file.
	Versions []*Version
	// Placeholders lists, sorted, every distinct export placeholder
	// (~exportplaceholderid-<kind>-<name>~) found in the file.
	Placeholders []string
	// NoWorkflows says why the file holds no workflows; it is "" when
	// Flows or Versions is not empty.
	NoWorkflows string
}

// Version is a published version of a flow.
type Version struct {
	ID      string // the file's id of the version (24-hex, placeholder or empty)
	FlowID  string // the file's id of the flow it belongs to
	Version string // the version name, e.g. "v1.0.0"
	Notes   string
	Enabled bool
	weir.Definition
}

// flowDoc is a flow, flow version or editor export as JSON has it.
type flowDoc struct {
	ID                  string            `json:"id"`
	FlowID              string            `json:"flowId"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	ShortDescription    string            `json:"shortDescription"`
	IconData            *string           `json:"iconData"`
	DocsURL             string            `json:"docsUrl"`
	Category            string            `json:"category"`
	Enabled             bool              `json:"enabled"`
	FlowClass           string            `json:"flowClass"`
	DefaultVersionID    *string           `json:"defaultVersionId"`
	CustomNodeSupports  []string          `json:"customNodeSupports"`
	Triggers            []weir.Trigger    `json:"triggers"`
	Nodes               []weir.Node       `json:"nodes"`
	Globals             []weir.Global     `json:"globals"`
	MinimumAgentVersion string            `json:"minimumAgentVersion"`
	CustomNodeConfig    json.RawMessage   `json:"customNodeConfig"`
	Version             string            `json:"version"`
	Notes               string            `json:"notes"`
	Weir                weir.FlowSettings `json:"weir"`               // weir's own settings, in weir's exports
	CustomNodes         []flowDoc         `json:"customNodes"`        // editor export: bundled custom nodes
	CustomNodeVersions  []flowDoc         `json:"customNodeVersions"` // and their versions
}

// Parse reads a workflow file in any container format, JSON or YAML. A file
// that is well formed but holds no workflows (another template resource
// type, a template index) parses without error, with NoWorkflows set. Parse
// checks the shape of the documents, not their wiring: call Validate.
func Parse(data []byte) (*File, error) {
	doc, err := toJSON(data)
	if err != nil {
		return nil, err
	}
	if err := weir.CheckJSONNumbers(doc, "the file"); err != nil {
		return nil, fmt.Errorf("flowfile: %s", weir.ErrorMessage(err))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, errors.New("flowfile: the document must be an object")
	}
	f := &File{}
	switch {
	case has(top, "resourceType") || has(top, "resources"):
		err = f.parseTemplate(top)
	case has(top, "resourceTypes"):
		f.Format = FormatIndex
		f.NoWorkflows = "a template directory index (name, description, resourceTypes), not a resource file"
	case has(top, "flows") || has(top, "flowVersions"):
		err = f.parseBulk(top)
	case has(top, "triggers") || has(top, "nodes") || has(top, "name"):
		f.Format = FormatFlow
		err = f.addFlowDoc(doc)
	default:
		return nil, errors.New("flowfile: neither a flow, a bulk import body nor a template envelope")
	}
	if err != nil {
		return nil, err
	}
	if f.NoWorkflows == "" && len(f.Flows) == 0 && len(f.Versions) == 0 {
		f.NoWorkflows = "the file lists no flows or flow versions"
	}
	f.Placeholders = findPlaceholders(doc)
	return f, nil
}

// Validate checks every flow (weir.Flow.Validate) and every version's
// definition. The error names the flow or version at fault.
func (f *File) Validate() error {
	for i, fl := range f.Flows {
		if err := fl.Validate(); err != nil {
			return fmt.Errorf("flow %d (%q): %w", i, fl.Name, err)
		}
	}
	for i, v := range f.Versions {
		if err := v.Definition.Validate(); err != nil {
			return fmt.Errorf("flow version %d (%q): %w", i, v.Version, err)
		}
	}
	return nil
}

// Merge appends the flows, versions and placeholders of other to f.
func (f *File) Merge(other *File) {
	f.Flows = append(f.Flows, other.Flows...)
	f.Versions = append(f.Versions, other.Versions...)
	f.Placeholders = mergeSorted(f.Placeholders, other.Placeholders)
	if len(f.Flows) > 0 || len(f.Versions) > 0 {
		f.NoWorkflows = ""
	}
}

func (f *File) parseTemplate(top map[string]json.RawMessage) error {
	f.Format = FormatTemplate
	if err := unmarshalField(top, "resourceType", &f.ResourceType); err != nil {
		return err
	}
	var resources []json.RawMessage
	if err := unmarshalField(top, "resources", &resources); err != nil {
		return err
	}
	switch f.ResourceType {
	case ResourceFlow:
		for i, r := range resources {
			if err := f.addFlowDoc(r); err != nil {
				return fmt.Errorf("flowfile: resources[%d]: %w", i, err)
			}
		}
	case ResourceFlowVersion, ResourceExperienceFlowVersion:
		for i, r := range resources {
			if err := f.addVersionDoc(r, f.ResourceType == ResourceExperienceFlowVersion); err != nil {
				return fmt.Errorf("flowfile: resources[%d]: %w", i, err)
			}
		}
	case "":
		return errors.New("flowfile: the template envelope has no resourceType")
	default:
		f.NoWorkflows = fmt.Sprintf("resourceType %s holds no workflows", f.ResourceType)
	}
	return nil
}

func (f *File) parseBulk(top map[string]json.RawMessage) error {
	f.Format = FormatBulk
	var flows, versions []json.RawMessage
	if err := unmarshalField(top, "flows", &flows); err != nil {
		return err
	}
	if err := unmarshalField(top, "flowVersions", &versions); err != nil {
		return err
	}
	for i, r := range flows {
		if err := f.addFlowDoc(r); err != nil {
			return fmt.Errorf("flowfile: flows[%d]: %w", i, err)
		}
	}
	for i, r := range versions {
		if err := f.addVersionDoc(r, false); err != nil {
			return fmt.Errorf("flowfile: flowVersions[%d]: %w", i, err)
		}
	}
	return nil
}

// addFlowDoc adds a flow object, and the custom nodes an editor export
// bundles with it.
func (f *File) addFlowDoc(raw json.RawMessage) error {
	var d flowDoc
	if err := decodeDoc(raw, &d); err != nil {
		return err
	}
	f.Flows = append(f.Flows, d.flow(weir.FlowClassCloud))
	for i := range d.CustomNodes {
		f.Flows = append(f.Flows, d.CustomNodes[i].flow(weir.FlowClassCustomNode))
	}
	for i := range d.CustomNodeVersions {
		f.Versions = append(f.Versions, d.CustomNodeVersions[i].version())
	}
	return nil
}

// addVersionDoc adds a flow version. The develop version of an experience
// flow stands for the flow itself.
func (f *File) addVersionDoc(raw json.RawMessage, experience bool) error {
	var d flowDoc
	if err := decodeDoc(raw, &d); err != nil {
		return err
	}
	if experience && (d.Version == weir.DevelopVersion || d.Version == "") {
		d.ID = d.FlowID
		f.Flows = append(f.Flows, d.flow(weir.FlowClassExperience))
		return nil
	}
	f.Versions = append(f.Versions, d.version())
	return nil
}

// flow converts the document, giving it class def when it names none.
func (d *flowDoc) flow(def string) *weir.Flow {
	fl := &weir.Flow{
		ID:                 d.ID,
		Name:               d.Name,
		Description:        d.Description,
		ShortDescription:   d.ShortDescription,
		DocsURL:            d.DocsURL,
		Category:           d.Category,
		Enabled:            d.Enabled,
		FlowClass:          d.FlowClass,
		DefaultVersionID:   d.DefaultVersionID,
		CustomNodeSupports: d.CustomNodeSupports,
		Weir:               d.Weir,
		Definition:         d.definition(),
	}
	if fl.ID == "" {
		fl.ID = d.FlowID
	}
	if d.IconData != nil {
		fl.IconData = *d.IconData
	}
	if fl.FlowClass == "" {
		fl.FlowClass = def
	}
	return fl
}

func (d *flowDoc) version() *Version {
	return &Version{
		ID: d.ID, FlowID: d.FlowID, Version: d.Version, Notes: d.Notes, Enabled: d.Enabled,
		Definition: d.definition(),
	}
}

func (d *flowDoc) definition() weir.Definition {
	def := weir.Definition{
		Triggers:            nonNil(d.Triggers),
		Nodes:               nonNil(d.Nodes),
		Globals:             nonNil(d.Globals),
		MinimumAgentVersion: d.MinimumAgentVersion,
	}
	if len(d.CustomNodeConfig) > 0 && !bytes.Equal(d.CustomNodeConfig, []byte("null")) {
		def.CustomNodeConfig = d.CustomNodeConfig
	}
	for i := range def.Triggers {
		def.Triggers[i].Config = dropNull(def.Triggers[i].Config)
		def.Triggers[i].Meta = dropNull(def.Triggers[i].Meta)
	}
	for i := range def.Nodes {
		def.Nodes[i].Config = dropNull(def.Nodes[i].Config)
		def.Nodes[i].Meta = dropNull(def.Nodes[i].Meta)
	}
	return def
}

// decodeDoc decodes one flow or version object, with a readable error.
func decodeDoc(raw json.RawMessage, d *flowDoc) error {
	if err := json.Unmarshal(raw, d); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s must not be a %s", te.Field, te.Value)
		}
		return err
	}
	return nil
}

func unmarshalField(top map[string]json.RawMessage, key string, v any) error {
	raw, ok := top[key]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("flowfile: %s has the wrong type", key)
	}
	return nil
}

func has(m map[string]json.RawMessage, key string) bool {
	_, ok := m[key]
	return ok
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func dropNull(raw json.RawMessage) json.RawMessage {
	if bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return raw
}

func mergeSorted(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
