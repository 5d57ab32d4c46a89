package nodes

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DeviceSendCommandNode",
		Name:     "device-command",
		Category: "output",
		Summary:  "Sends a command to devices of the application: recorded, and delivered to those connected over MQTT.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "deviceIdsPath", Kind: "path", Doc: "The devices by payload: a path holding one device id or an array of them. Used when meta.deviceSelectionType is payload, or, without it, when set."},
			{Name: "sendToDeviceIds", Kind: "array", Doc: "The devices by id (templates), when meta.deviceSelectionType is direct, or, without it, when deviceIdsPath is not set."},
			{Name: "sendToDeviceTags", Kind: "array", Doc: "And the devices carrying one of these tags, each {key, value} (templates; an empty side matches any)."},
			{Name: "deviceQueryJsonTemplate", Kind: "jsonTemplate", Doc: "The devices an advanced device query matches (the fields of Get Device's query), when meta.deviceSelectionType is query, or, without it, when no other selection is set. At most 1,000 devices: a query matching more, or one that does not read, fails the run and sends nothing."},
			{Name: "nameTemplate", Kind: "template", Required: true, Doc: "The command's name."},
			{Name: "payloadTemplate", Kind: "template", Doc: "The command's payload, read as payloadTemplateType says; empty: no payload."},
			{Name: "payloadTemplateType", Kind: "enum", Enum: []string{"json", "string", "path"}, Default: "json", Doc: "json (a JSON template), string (rendered text) or path (the value at a payload path)."},
		},
	}, buildDeviceSendCommand)
}

type deviceSendCommand struct {
	idsPath     path.Path
	byPath      bool
	query       *template.Template // the selection by query; nil: by path, ids or tags
	ids         []*template.Template
	tags        []compiledTag
	name        *template.Template
	payloadType string
	payload     *template.Template
	payloadPath path.Path
	hasPayload  bool
}

func buildDeviceSendCommand(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DeviceIDsPath    string        `json:"deviceIdsPath"`
		SendToDeviceIDs  []engine.Text `json:"sendToDeviceIds"`
		SendToDeviceTags []struct {
			Key   engine.Text `json:"key"`
			Value engine.Text `json:"value"`
		} `json:"sendToDeviceTags"`
		DeviceQueryJSONTemplate engine.Text `json:"deviceQueryJsonTemplate"`
		NameTemplate            engine.Text `json:"nameTemplate"`
		PayloadTemplate         engine.Text `json:"payloadTemplate"`
		PayloadTemplateType     string      `json:"payloadTemplateType"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &deviceSendCommand{payloadType: cfg.PayloadTemplateType}
	var err error
	if n.idsPath, n.byPath, err = engine.CompilePath("deviceIdsPath", cfg.DeviceIDsPath, false); err != nil {
		return nil, err
	}
	var meta struct {
		DeviceSelectionType string `json:"deviceSelectionType"`
	}
	if len(c.Meta) > 0 {
		_ = json.Unmarshal(c.Meta, &meta) // a meta that is not an object names no selection
	}
	hasQuery := strings.TrimSpace(string(cfg.DeviceQueryJSONTemplate)) != ""
	switch meta.DeviceSelectionType {
	case "payload":
		if !n.byPath {
			return nil, engine.Errorf("Validation", "deviceIdsPath is required")
		}
	case "direct":
		n.byPath = false
	case "query":
		n.byPath = false
		if !hasQuery {
			return nil, engine.Errorf("Validation", "deviceQueryJsonTemplate is required")
		}
	default:
		hasQuery = hasQuery && !n.byPath && len(cfg.SendToDeviceIDs) == 0 && len(cfg.SendToDeviceTags) == 0
		if !n.byPath && !hasQuery && len(cfg.SendToDeviceIDs) == 0 && len(cfg.SendToDeviceTags) == 0 {
			return nil, engine.Errorf("Validation", "deviceIdsPath, sendToDeviceIds, sendToDeviceTags or deviceQueryJsonTemplate is required")
		}
	}
	if hasQuery && (meta.DeviceSelectionType == "query" || meta.DeviceSelectionType == "") {
		if n.query, err = engine.CompileTemplate("deviceQueryJsonTemplate", string(cfg.DeviceQueryJSONTemplate)); err != nil {
			return nil, err
		}
	}
	for _, id := range cfg.SendToDeviceIDs {
		t, err := engine.CompileTemplate("sendToDeviceIds", string(id))
		if err != nil {
			return nil, err
		}
		n.ids = append(n.ids, t)
	}
	tags := make([]tagTemplate, 0, len(cfg.SendToDeviceTags))
	for _, t := range cfg.SendToDeviceTags {
		tags = append(tags, tagTemplate{KeyTemplate: t.Key, ValueTemplate: t.Value})
	}
	if n.tags, err = compileTags("sendToDeviceTags", tags); err != nil {
		return nil, err
	}
	if cfg.NameTemplate == "" {
		return nil, engine.Errorf("Validation", "nameTemplate is required")
	}
	if n.name, err = engine.CompileTemplate("nameTemplate", string(cfg.NameTemplate)); err != nil {
		return nil, err
	}
	switch n.payloadType {
	case "", "json", "string":
		if n.payloadType == "" {
			n.payloadType = "json"
		}
		n.hasPayload = cfg.PayloadTemplate != ""
		n.payload, err = engine.CompileTemplate("payloadTemplate", string(cfg.PayloadTemplate))
	case "path":
		n.payloadPath, n.hasPayload, err = engine.CompilePath("payloadTemplate", string(cfg.PayloadTemplate), false)
	default:
		return nil, engine.Errorf("Validation", "payloadTemplateType must be json, string or path")
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Exec records the command for every target device and delivers it to
// those connected. Ids of no device of the application are skipped.
func (n *deviceSendCommand) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	name, err := n.name.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "nameTemplate: %v", err)
	}
	c := weir.DeviceCommand{Name: strings.TrimSpace(name), Time: env.Now().UTC()}
	if err := c.Validate(); err != nil {
		return 0, engine.Errorf("Validation", "nameTemplate: %s", weir.ErrorMessage(err))
	}
	if c.Payload, err = n.renderPayload(p); err != nil {
		return 0, err
	}
	ids, err := n.targets(ctx, env, p)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		cmd := c
		err := env.Devices.Commands.AddDeviceCommand(ctx, env.ApplicationID, id, &cmd)
		switch {
		case weir.ErrorTypeOf(err) == weir.NotFound:
			continue
		case err != nil:
			return 0, err
		}
		if env.Devices.Sender != nil {
			if err := env.Devices.Sender.SendCommand(ctx, env.ApplicationID, id, &cmd); err != nil && env.Logger != nil {
				env.Logger.Warn("device command not delivered", "device_id", id, "err", err)
			}
		}
		if err := commandTriggers(ctx, env, id, &cmd); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

func (n *deviceSendCommand) renderPayload(p engine.Payload) (json.RawMessage, error) {
	if !n.hasPayload {
		return nil, nil
	}
	var v any
	switch n.payloadType {
	case "path":
		v = n.payloadPath.Get(p)
	case "string":
		s, err := n.payload.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "payloadTemplate: %v", err)
		}
		v = s
	default:
		j, err := n.payload.RenderJSON(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "payloadTemplate: %v", err)
		}
		v = j
	}
	return engine.EncodeValue(v), nil
}

// targets returns the ids of the devices the command goes to, each once.
func (n *deviceSendCommand) targets(ctx context.Context, env *engine.Env, p engine.Payload) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(v any) {
		s, _ := v.(string)
		s = strings.ToLower(strings.TrimSpace(s))
		if weir.ValidID(s) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if n.byPath {
		switch v := n.idsPath.Get(p).(type) {
		case []any:
			for _, e := range v {
				add(e)
			}
		default:
			add(v)
		}
		return out, nil
	}
	if n.query != nil {
		q, err := renderDeviceQuery(ctx, env, n.query, "deviceQueryJsonTemplate", p)
		if err == nil {
			var ds []*weir.Device
			ds, err = weir.SelectDevices(ctx, env.Devices.Devices, env.ApplicationID, weir.DeviceSelection{Query: q}, weir.MaxDataDevices)
			for _, d := range ds {
				add(d.ID)
			}
		}
		if err != nil && weir.ErrorTypeOf(err) != weir.Internal {
			return nil, engine.Errorf(string(weir.ErrorTypeOf(err)), "deviceQueryJsonTemplate: %s", weir.ErrorMessage(err))
		}
		return out, err
	}
	for _, t := range n.ids {
		s, err := t.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "sendToDeviceIds: %v", err)
		}
		add(s)
	}
	tags, err := renderTags(n.tags, p)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		ds, _, err := env.Devices.Devices.FindDevices(ctx, weir.DeviceFilter{ApplicationID: env.ApplicationID, Tags: []weir.TagFilter{t}})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			add(d.ID)
		}
	}
	return out, nil
}

// commandTriggers hands the command sent to device id to the device
// command triggers, when the run has them.
func commandTriggers(ctx context.Context, env *engine.Env, id string, c *weir.DeviceCommand) error {
	if env.Devices.Events == nil {
		return nil
	}
	d, err := env.Devices.Devices.FindDeviceByID(ctx, env.ApplicationID, id)
	if err != nil {
		return err
	}
	return env.Devices.Events.DeviceCommand(ctx, d, c)
}
