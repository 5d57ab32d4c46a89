package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "UpdateDeviceNode",
		Name:     "update-device",
		Category: "data",
		Summary:  "Changes a device of the application and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "idTemplate", Kind: "template", Required: true, Doc: "The device's id."},
			{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the changes come from; blank fields leave the device's values alone, given tags or attributes replace the device's."},
		}, deviceFieldSpecs...),
	}, buildUpdateDevice)
}

type updateDevice struct {
	id        *template.Template
	in        *deviceInput
	shape     deviceShape
	result    path.Path
	hasResult bool
}

func buildUpdateDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		deviceFieldsConfig
		IDTemplate         engine.Text `json:"idTemplate"`
		DataMethod         string      `json:"dataMethod"`
		DeviceJSONTemplate engine.Text `json:"deviceJsonTemplate"`
		DevicePayloadPath  string      `json:"devicePayloadPath"`
		TagsAsObject       bool        `json:"tagsAsObject"`
		AttributesAsObject bool        `json:"attributesAsObject"`
		ResultPath         string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.IDTemplate == "" {
		return nil, engine.Errorf("Validation", "idTemplate is required")
	}
	n := &updateDevice{shape: deviceShape{connection: true, tagsAsObject: cfg.TagsAsObject, attributesAsObject: cfg.AttributesAsObject}}
	var err error
	if n.id, err = engine.CompileTemplate("idTemplate", string(cfg.IDTemplate)); err != nil {
		return nil, err
	}
	if n.in, err = compileDeviceInput(cfg.DataMethod, cfg.deviceFieldsConfig, cfg.DeviceJSONTemplate, cfg.DevicePayloadPath); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec updates the device; a missing device or a refused change writes the
// error at resultPath.
func (n *updateDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	d, err := n.update(ctx, env, p)
	switch {
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	case err != nil:
		return 0, setResult(p, n.result, n.hasResult, platformError(err))
	}
	v, err := deviceValue(ctx, env, d, n.shape)
	if err != nil {
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, v)
}

func (n *updateDevice) update(ctx context.Context, env *engine.Env, p engine.Payload) (*weir.Device, error) {
	id, err := n.id.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "idTemplate: %v", err)
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		return nil, weir.Errorf(weir.NotFound, "Device was not found")
	}
	d, err := env.Devices.Devices.FindDeviceByID(ctx, env.ApplicationID, id)
	if err != nil {
		return nil, err
	}
	if err := n.in.apply(d, p); err != nil {
		return nil, err
	}
	return d, env.Devices.Devices.UpdateDevice(ctx, d)
}
