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
		Type:     "DeviceDeleteWorkflowNode",
		Name:     "delete-device",
		Category: "data",
		Summary:  "Deletes a device of the application, with its state history and commands.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "dataMethod", Kind: "enum", Enum: []string{"id", "query"}, Default: "id", Doc: "id deletes the device deviceIdTemplate names; query is refused (not supported yet)."},
			{Name: "deviceIdTemplate", Kind: "template", Doc: "The device's id."},
			{Name: "deviceQueryJsonTemplate", Kind: "jsonTemplate", Doc: "Ignored (query is not supported)."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put true, or {error: {type, message}} when there is no such device."},
		},
	}, buildDeleteDevice)
}

type deleteDevice struct {
	id        *template.Template
	result    path.Path
	hasResult bool
}

func buildDeleteDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DataMethod       string      `json:"dataMethod"`
		DeviceIDTemplate engine.Text `json:"deviceIdTemplate"`
		ResultPath       string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.DataMethod != "" && cfg.DataMethod != "id" {
		return nil, engine.Errorf("Validation", "dataMethod %q is not supported yet", cfg.DataMethod)
	}
	if cfg.DeviceIDTemplate == "" {
		return nil, engine.Errorf("Validation", "deviceIdTemplate is required")
	}
	n := &deleteDevice{}
	var err error
	if n.id, err = engine.CompileTemplate("deviceIdTemplate", string(cfg.DeviceIDTemplate)); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec deletes the device and writes true, or the error, at resultPath.
func (n *deleteDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	id, err := n.id.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "deviceIdTemplate: %v", err)
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		err = weir.Errorf(weir.NotFound, "Device was not found")
	} else {
		err = env.Devices.Devices.DeleteDevice(ctx, env.ApplicationID, id)
	}
	switch {
	case err == nil:
		return 0, setResult(p, n.result, n.hasResult, true)
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, platformError(err))
}
