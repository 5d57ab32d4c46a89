package nodes

import (
	"cmp"
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "VerifyDeviceNode",
		Name:     "verify-experience-device",
		Category: "experience",
		Summary: "Branches on whether an experience user (or group) may see a device: one of its groups, or a group below " +
			"them, names the device by id, tag or device query.",
		Outputs: []string{"not associated", "associated"},
		Fields: []engine.Field{
			{Name: "deviceIdTemplate", Kind: "template", Doc: "The device's id."},
			{Name: "idTemplate", Kind: "template", Default: "{{experience.user.id}}", Doc: "The user's id or email, or the group's id."},
			{Name: "idTypeTemplate", Kind: "template", Default: "experienceUser", Doc: "experienceUser or experienceGroup."},
		},
	}, buildVerifyDevice)
}

type verifyDevice struct{ device, id, idType *template.Template }

func buildVerifyDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DeviceIDTemplate engine.Text `json:"deviceIdTemplate"`
		IDTemplate       engine.Text `json:"idTemplate"`
		IDTypeTemplate   engine.Text `json:"idTypeTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &verifyDevice{}
	var err error
	for _, f := range []struct {
		dst       **template.Template
		name, src string
	}{{&n.device, "deviceIdTemplate", string(cfg.DeviceIDTemplate)},
		{&n.id, "idTemplate", cmp.Or(string(cfg.IDTemplate), "{{experience.user.id}}")},
		{&n.idType, "idTypeTemplate", cmp.Or(string(cfg.IDTypeTemplate), "experienceUser")}} {
		if *f.dst, err = engine.CompileTemplate(f.name, f.src); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec takes output 1 when the device is associated, else 0 (also when
// there is no such device, user or group).
func (n *verifyDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	if err := needDevices(env); err != nil {
		return 0, err
	}
	var vals [3]string
	for i, f := range []struct {
		name string
		t    *template.Template
	}{{"deviceIdTemplate", n.device}, {"idTemplate", n.id}, {"idTypeTemplate", n.idType}} {
		s, err := renderText(f.name, f.t, p)
		if err != nil {
			return 0, err
		}
		vals[i] = strings.TrimSpace(s)
	}
	deviceID, id, idType := strings.ToLower(vals[0]), vals[1], vals[2]
	if !weir.ValidID(deviceID) {
		return 0, nil
	}
	d, err := env.Devices.Devices.FindDeviceByID(ctx, env.ApplicationID, deviceID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return 0, err
	}
	if idType != "experienceUser" && idType != "experienceGroup" {
		return 0, engine.Errorf("Validation", "idTypeTemplate must be experienceUser or experienceGroup, not %q", idType)
	}
	if idType == "experienceGroup" {
		id = strings.ToLower(id)
	}
	seen := weir.ExperienceDevices(ctx, env.Experience.Users, t, env.ApplicationID)
	if seen(idType, id, d) {
		return 1, nil
	}
	return 0, nil
}
