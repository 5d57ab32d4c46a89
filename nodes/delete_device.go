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
		Summary:  "Deletes devices of the application, one by id or every one an advanced query matches, with their state history and commands.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "dataMethod", Kind: "enum", Enum: []string{"id", "query"}, Default: "id", Doc: "id deletes the device deviceIdTemplate names; query deletes every device deviceQueryJsonTemplate matches."},
			{Name: "deviceIdTemplate", Kind: "template", Doc: "id: the device's id."},
			{Name: "deviceQueryJsonTemplate", Kind: "jsonTemplate", Doc: "query: an advanced device query (the fields of Get Device's query, experienceUserId and experienceGroupId included). It may match at most 1,000 devices; more deletes none and writes {error}."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put the result: by id, true; by query, {removed, failed} (failed: devices gone before their turn); either way {error: {type, message}} when there is no such device or the query does not read."},
		},
	}, buildDeleteDevice)
}

type deleteDevice struct {
	byQuery   bool
	id        *template.Template
	query     *template.Template
	result    path.Path
	hasResult bool
}

func buildDeleteDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DataMethod              string      `json:"dataMethod"`
		DeviceIDTemplate        engine.Text `json:"deviceIdTemplate"`
		DeviceQueryJSONTemplate engine.Text `json:"deviceQueryJsonTemplate"`
		ResultPath              string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &deleteDevice{}
	var err error
	switch cfg.DataMethod {
	case "", "id":
		if cfg.DeviceIDTemplate == "" {
			return nil, engine.Errorf("Validation", "deviceIdTemplate is required")
		}
		n.id, err = engine.CompileTemplate("deviceIdTemplate", string(cfg.DeviceIDTemplate))
	case "query":
		if strings.TrimSpace(string(cfg.DeviceQueryJSONTemplate)) == "" {
			return nil, engine.Errorf("Validation", "deviceQueryJsonTemplate is required")
		}
		n.byQuery = true
		n.query, err = engine.CompileTemplate("deviceQueryJsonTemplate", string(cfg.DeviceQueryJSONTemplate))
	default:
		return nil, engine.Errorf("Validation", "dataMethod must be id or query")
	}
	if err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec deletes the device, or the devices the query matches, and writes
// the result, or the error, at resultPath.
func (n *deleteDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	var (
		out any
		err error
	)
	if n.byQuery {
		out, err = n.deleteByQuery(ctx, env, p)
	} else {
		out, err = n.deleteByID(ctx, env, p)
	}
	switch {
	case err == nil:
		return 0, setResult(p, n.result, n.hasResult, out)
	case weir.ErrorTypeOf(err) == weir.Internal: // a store failure, or the run cannot reach what it needs
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, platformError(err))
}

// deleteByID deletes the device deviceIdTemplate names.
func (n *deleteDevice) deleteByID(ctx context.Context, env *engine.Env, p engine.Payload) (any, error) {
	id, err := n.id.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "deviceIdTemplate: %v", err)
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		return nil, weir.Errorf(weir.NotFound, "Device was not found")
	}
	if err := env.Devices.Devices.DeleteDevice(ctx, env.ApplicationID, id); err != nil {
		return nil, err
	}
	return true, nil
}

// deleteByQuery deletes every device the query matches, as devices.delete
// does: {removed, failed}, failed counting those deleted meanwhile.
func (n *deleteDevice) deleteByQuery(ctx context.Context, env *engine.Env, p engine.Payload) (any, error) {
	q, err := renderDeviceQuery(ctx, env, n.query, "deviceQueryJsonTemplate", p)
	if err != nil {
		return nil, err
	}
	ds, err := weir.SelectDevices(ctx, env.Devices.Devices, env.ApplicationID, weir.DeviceSelection{Query: q}, weir.MaxDataDevices)
	if err != nil {
		return nil, err
	}
	removed, failed := 0, 0
	for _, d := range ds {
		switch err := env.Devices.Devices.DeleteDevice(ctx, env.ApplicationID, d.ID); {
		case err == nil:
			removed++
		case weir.ErrorTypeOf(err) == weir.NotFound:
			failed++
		default:
			return nil, err
		}
	}
	return map[string]any{"removed": removed, "failed": failed}, nil
}
