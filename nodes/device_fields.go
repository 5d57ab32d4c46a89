package nodes

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// deviceFields are the individual fields of Device: Create and Device:
// Update, compiled; an empty template leaves its field alone.
type deviceFields struct {
	name, description, class, gateway, parent, keepDuplicates *template.Template
	tags                                                      []compiledTag
	attrs                                                     []compiledAttr
	hasTags, hasAttrs                                         bool
}

type compiledAttr struct{ name, dataType, contentType *template.Template }

// deviceFieldsConfig is the config of the individual fields.
type deviceFieldsConfig struct {
	NameTemplate           engine.Text   `json:"nameTemplate"`
	DescriptionTemplate    engine.Text   `json:"descriptionTemplate"`
	DeviceClassTemplate    engine.Text   `json:"deviceClassTemplate"`
	GatewayIDTemplate      engine.Text   `json:"gatewayIdTemplate"`
	ParentIDTemplate       engine.Text   `json:"parentIdTemplate"`
	KeepDuplicatesTemplate engine.Text   `json:"keepDuplicatesTemplate"`
	DeviceTags             []tagTemplate `json:"deviceTags"`
	DeviceAttributes       []struct {
		NameTemplate        engine.Text `json:"nameTemplate"`
		DataTypeTemplate    engine.Text `json:"dataTypeTemplate"`
		ContentTypeTemplate engine.Text `json:"contentTypeTemplate"`
	} `json:"deviceAttributes"`
}

// deviceFieldSpecs document the individual fields, shared by both nodes.
var deviceFieldSpecs = []engine.Field{
	{Name: "nameTemplate", Kind: "template", Doc: "individualFields: the name (required to create; blank leaves it unchanged on update)."},
	{Name: "descriptionTemplate", Kind: "template", Doc: "individualFields: the description."},
	{Name: "deviceClassTemplate", Kind: "template", Doc: "individualFields: standalone (default on create), gateway, peripheral, floating, edgeCompute, system or embedded."},
	{Name: "gatewayIdTemplate", Kind: "template", Doc: "individualFields: the gateway of a peripheral."},
	{Name: "keepDuplicatesTemplate", Kind: "template", Doc: "individualFields: true or false."},
	{Name: "deviceTags", Kind: "array", Doc: "individualFields: the tags, each {keyTemplate, valueTemplate}; given, they replace the device's tags."},
	{Name: "deviceAttributes", Kind: "array", Doc: "individualFields: the attributes, each {nameTemplate, dataTypeTemplate, contentTypeTemplate}; given, they replace the device's attributes."},
	{Name: "deviceJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: a device document (name, description, tags, attributes, deviceClass, gatewayId, parentId (null: none), keepDuplicates)."},
	{Name: "devicePayloadPath", Kind: "path", Doc: "payloadPath: where such a document is on the payload."},
	{Name: "parentIdTemplate", Kind: "template", Doc: "individualFields: the parent device in the hierarchy, a device of the application (blank leaves it unchanged on update)."},
	{Name: "systemIntervalTemplate", Kind: "template", Doc: "Ignored (weir keeps no system device aggregation settings)."},
	{Name: "tagsAsObject", Kind: "bool", Default: "false", Doc: "Write tags as {key: [values]}."},
	{Name: "attributesAsObject", Kind: "bool", Default: "false", Doc: "Write attributes as {name: attribute}."},
	{Name: "resultPath", Kind: "path", Doc: "Where to put the device, or {error: {type, message}}."},
}

func compileDeviceFields(cfg deviceFieldsConfig) (*deviceFields, error) {
	f := &deviceFields{hasTags: len(cfg.DeviceTags) > 0, hasAttrs: len(cfg.DeviceAttributes) > 0}
	var err error
	for _, x := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{{&f.name, "nameTemplate", cfg.NameTemplate}, {&f.description, "descriptionTemplate", cfg.DescriptionTemplate},
		{&f.class, "deviceClassTemplate", cfg.DeviceClassTemplate}, {&f.gateway, "gatewayIdTemplate", cfg.GatewayIDTemplate},
		{&f.parent, "parentIdTemplate", cfg.ParentIDTemplate},
		{&f.keepDuplicates, "keepDuplicatesTemplate", cfg.KeepDuplicatesTemplate}} {
		if *x.dst, err = engine.CompileTemplate(x.name, string(x.src)); err != nil {
			return nil, err
		}
	}
	if f.tags, err = compileTags("deviceTags", cfg.DeviceTags); err != nil {
		return nil, err
	}
	for i, a := range cfg.DeviceAttributes {
		var c compiledAttr
		field := "deviceAttributes[" + strconv.Itoa(i) + "]"
		if c.name, err = engine.CompileTemplate(field+".nameTemplate", string(a.NameTemplate)); err != nil {
			return nil, err
		}
		if c.dataType, err = engine.CompileTemplate(field+".dataTypeTemplate", string(a.DataTypeTemplate)); err != nil {
			return nil, err
		}
		if c.contentType, err = engine.CompileTemplate(field+".contentTypeTemplate", string(a.ContentTypeTemplate)); err != nil {
			return nil, err
		}
		f.attrs = append(f.attrs, c)
	}
	return f, nil
}

// apply renders the fields against p onto d; blank renderings leave d's
// values alone.
func (f *deviceFields) apply(d *weir.Device, p engine.Payload) error {
	render := func(t *template.Template) (string, error) {
		s, err := t.Render(p)
		if err != nil {
			return "", weir.Errorf(weir.Validation, "%v", err)
		}
		return strings.TrimSpace(s), nil
	}
	for _, x := range []struct {
		t   *template.Template
		dst *string
	}{{f.name, &d.Name}, {f.description, &d.Description}, {f.class, &d.DeviceClass}, {f.gateway, &d.GatewayID},
		{f.parent, &d.ParentID}} {
		s, err := render(x.t)
		if err != nil {
			return err
		}
		if s != "" {
			*x.dst = s
		}
	}
	if s, err := render(f.keepDuplicates); err != nil {
		return err
	} else if s != "" {
		d.KeepDuplicates = s == "true"
	}
	if f.hasTags {
		tags, err := renderTags(f.tags, p)
		if err != nil {
			return err
		}
		d.Tags = d.Tags[:0:0]
		for _, t := range tags {
			d.Tags = append(d.Tags, weir.DeviceTag{Key: t.Key, Value: t.Value})
		}
	}
	if f.hasAttrs {
		d.Attributes = nil
		for _, a := range f.attrs {
			name, err := render(a.name)
			if err != nil {
				return err
			}
			dt, err := render(a.dataType)
			if err != nil {
				return err
			}
			ct, err := render(a.contentType)
			if err != nil {
				return err
			}
			if name != "" {
				d.Attributes = append(d.Attributes, weir.DeviceAttribute{Name: name, DataType: dt, ContentType: ct})
			}
		}
	}
	return nil
}

// deviceDoc is a device document of a JSON template or payload path.
type deviceDoc struct {
	Name           *string                 `json:"name"`
	Description    *string                 `json:"description"`
	Tags           *[]weir.DeviceTag       `json:"tags"`
	Attributes     *[]weir.DeviceAttribute `json:"attributes"`
	DeviceClass    *string                 `json:"deviceClass"`
	GatewayID      *string                 `json:"gatewayId"`
	ParentID       json.RawMessage         `json:"parentId"` // a string, or null for none
	KeepDuplicates *bool                   `json:"keepDuplicates"`
}

// applyDoc sets the fields of the device document v on d.
func applyDoc(d *weir.Device, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return weir.Errorf(weir.Validation, "device must be an object")
	}
	var doc deviceDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return weir.Errorf(weir.Validation, "device is the wrong type")
	}
	if doc.Name != nil {
		d.Name = *doc.Name
	}
	if doc.Description != nil {
		d.Description = *doc.Description
	}
	if doc.Tags != nil {
		d.Tags = *doc.Tags
	}
	if doc.Attributes != nil {
		d.Attributes = *doc.Attributes
	}
	if doc.DeviceClass != nil {
		d.DeviceClass = *doc.DeviceClass
	}
	if doc.GatewayID != nil {
		d.GatewayID = *doc.GatewayID
	}
	if doc.KeepDuplicates != nil {
		d.KeepDuplicates = *doc.KeepDuplicates
	}
	if len(doc.ParentID) > 0 {
		d.ParentID = ""
		if string(doc.ParentID) != "null" && json.Unmarshal(doc.ParentID, &d.ParentID) != nil {
			return weir.Errorf(weir.Validation, "device.parentId is the wrong type")
		}
	}
	return nil
}

// deviceInput is how Device: Create and Device: Update read a device.
type deviceInput struct {
	method string
	fields *deviceFields
	json   *template.Template
	path   path.Path
}

func compileDeviceInput(method string, fields deviceFieldsConfig, jsonTmpl engine.Text, payloadPath string) (*deviceInput, error) {
	in := &deviceInput{method: method}
	var err error
	switch method {
	case "", "individualFields":
		in.method = "individualFields"
		in.fields, err = compileDeviceFields(fields)
	case "jsonTemplate":
		in.json, err = engine.CompileTemplate("deviceJsonTemplate", string(jsonTmpl))
	case "payloadPath":
		in.path, _, err = engine.CompilePath("devicePayloadPath", payloadPath, true)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	return in, err
}

// apply sets the input's fields on d.
func (in *deviceInput) apply(d *weir.Device, p engine.Payload) error {
	switch in.method {
	case "individualFields":
		return in.fields.apply(d, p)
	case "jsonTemplate":
		v, err := in.json.RenderJSON(p)
		if err != nil {
			return weir.Errorf(weir.Validation, "deviceJsonTemplate: %v", err)
		}
		return applyDoc(d, v)
	}
	return applyDoc(d, in.path.Get(p))
}
