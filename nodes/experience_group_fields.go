package nodes

import (
	"cmp"
	"encoding/json"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// groupFieldsConfig are the fields of Group: Create and Group: Update.
type groupFieldsConfig struct {
	DataMethod              string        `json:"dataMethod"`
	NameTemplate            engine.Text   `json:"nameTemplate"`
	DescriptionTemplate     engine.Text   `json:"descriptionTemplate"`
	ParentIDTemplate        engine.Text   `json:"parentIdTemplate"`
	DeviceQueryJSONTemplate engine.Text   `json:"deviceQueryJsonTemplate"`
	GroupTagTemplates       []tagTemplate `json:"groupTagTemplates"` // Group: Create
	GroupTags               []tagTemplate `json:"groupTags"`         // Group: Update
	GroupJSONTemplate       engine.Text   `json:"groupJsonTemplate"`
	GroupPayloadPath        string        `json:"groupPayloadPath"`
	ResultPath              string        `json:"resultPath"`
}

// groupFieldSpecs document groupFieldsConfig.
var groupFieldSpecs = []engine.Field{
	{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the group's fields come from."},
	{Name: "nameTemplate", Kind: "template", Doc: "The name; blank leaves it (update)."},
	{Name: "descriptionTemplate", Kind: "template", Doc: "The description; blank leaves it (update)."},
	{Name: "parentIdTemplate", Kind: "template", Doc: "The parent group's id; blank leaves it (update) or makes a top group (create)."},
	{Name: "deviceQueryJsonTemplate", Kind: "jsonTemplate", Doc: "The advanced device query naming the group's devices; blank leaves it."},
	{Name: "groupTagTemplates", Kind: "array", Doc: "Create: [{keyTemplate, valueTemplate}] tags of the group."},
	{Name: "groupTags", Kind: "array", Doc: "Update: tags to set; a key without a value removes it."},
	{Name: "groupJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: an experienceGroupPost or experienceGroupPatch document."},
	{Name: "groupPayloadPath", Kind: "path", Doc: "payloadPath: where such a document is on the payload."},
	{Name: "resultPath", Kind: "path", Doc: "Where to put the group, or {error: {type, message}} when refused."},
}

// groupInput is how Group: Create and Group: Update read a group.
type groupInput struct {
	method                        string
	name, description, parent, dq *template.Template
	tags                          []compiledTag
	json                          *template.Template
	path                          path.Path
}

func compileGroupInput(cfg groupFieldsConfig) (*groupInput, error) {
	in := &groupInput{method: cmp.Or(cfg.DataMethod, "individualFields")}
	var err error
	switch in.method {
	case "individualFields":
		for _, c := range []struct {
			dst  **template.Template
			name string
			src  engine.Text
		}{{&in.name, "nameTemplate", cfg.NameTemplate}, {&in.description, "descriptionTemplate", cfg.DescriptionTemplate},
			{&in.parent, "parentIdTemplate", cfg.ParentIDTemplate}, {&in.dq, "deviceQueryJsonTemplate", cfg.DeviceQueryJSONTemplate}} {
			if *c.dst, err = compileOptionalTemplate(c.name, c.src); err != nil {
				return nil, err
			}
		}
		in.tags, err = compileTags("groupTags", append(cfg.GroupTagTemplates, cfg.GroupTags...))
	case "jsonTemplate":
		in.json, err = engine.CompileTemplate("groupJsonTemplate", string(cfg.GroupJSONTemplate))
	case "payloadPath":
		in.path, _, err = engine.CompilePath("groupPayloadPath", cfg.GroupPayloadPath, true)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	return in, err
}

// change renders the input into a change of g: blank fields leave g's
// value; a tag key without a value removes the tag.
func (in *groupInput) change(g *weir.ExperienceGroup, p engine.Payload) (*weir.ExperienceGroupChange, error) {
	c := &weir.ExperienceGroupChange{}
	if in.method != "individualFields" {
		var v any
		if in.method == "jsonTemplate" {
			var err error
			if v, err = in.json.RenderJSON(p); err != nil {
				return nil, weir.Errorf(weir.Validation, "groupJsonTemplate: %v", err)
			}
		} else {
			v = in.path.Get(p)
		}
		b, err := json.Marshal(v)
		if err != nil || json.Unmarshal(b, c) != nil {
			return nil, weir.Errorf(weir.Validation, "the group document must be an object of experienceGroup fields")
		}
		return c, nil
	}
	for _, f := range []struct {
		name string
		t    *template.Template
		dst  **string
	}{{"nameTemplate", in.name, &c.Name}, {"descriptionTemplate", in.description, &c.Description}} {
		s, err := renderText(f.name, f.t, p)
		if err != nil {
			return nil, err
		}
		if s != "" {
			*f.dst = &s
		}
	}
	for _, f := range []struct {
		name string
		t    *template.Template
		dst  *json.RawMessage
	}{{"parentIdTemplate", in.parent, &c.ParentID}, {"deviceQueryJsonTemplate", in.dq, &c.DeviceQueryJSON}} {
		s, err := renderText(f.name, f.t, p)
		if err != nil {
			return nil, err
		}
		if s = strings.TrimSpace(s); s != "" {
			if f.name == "parentIdTemplate" {
				s = strings.ToLower(s)
			}
			*f.dst, _ = json.Marshal(s)
		}
	}
	if len(in.tags) > 0 {
		tags, err := renderTagObject(in.tags, g.GroupTags, p)
		if err != nil {
			return nil, err
		}
		c.GroupTags = &tags
	}
	return c, nil
}
