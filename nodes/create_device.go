package nodes

import (
	"context"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CreateDeviceNode",
		Name:     "create-device",
		Category: "data",
		Summary:  "Creates a device in the application and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "Where the new device's fields come from."},
			{Name: "recipeIdTemplate", Kind: "template", Doc: "A device recipe of the application the device starts from (its name, description, class, gateway, parent, tags and attributes); the fields given override them: a tag key given replaces the recipe's values of that key, an attribute given the recipe's of that name. A recipe that is not found writes {error} at resultPath."},
		}, deviceFieldSpecs...),
	}, buildCreateDevice)
}

type createDevice struct {
	recipe    *template.Template // nil: none
	in        *deviceInput
	shape     deviceShape
	result    path.Path
	hasResult bool
}

func buildCreateDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		deviceFieldsConfig
		DataMethod         string      `json:"dataMethod"`
		RecipeIDTemplate   engine.Text `json:"recipeIdTemplate"`
		DeviceJSONTemplate engine.Text `json:"deviceJsonTemplate"`
		DevicePayloadPath  string      `json:"devicePayloadPath"`
		TagsAsObject       bool        `json:"tagsAsObject"`
		AttributesAsObject bool        `json:"attributesAsObject"`
		ResultPath         string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	in, err := compileDeviceInput(cfg.DataMethod, cfg.deviceFieldsConfig, cfg.DeviceJSONTemplate, cfg.DevicePayloadPath)
	if err != nil {
		return nil, err
	}
	n := &createDevice{in: in, shape: deviceShape{connection: true, tagsAsObject: cfg.TagsAsObject, attributesAsObject: cfg.AttributesAsObject}}
	if strings.TrimSpace(string(cfg.RecipeIDTemplate)) != "" {
		if n.recipe, err = engine.CompileTemplate("recipeIdTemplate", string(cfg.RecipeIDTemplate)); err != nil {
			return nil, err
		}
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec creates the device; a refused one writes the error at resultPath.
func (n *createDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	d, err := n.start(ctx, env, p)
	if err == nil {
		recipeTags, recipeAttrs := d.Tags, d.Attributes
		err = n.in.apply(d, p)
		if n.recipe != nil {
			d.Tags = over(recipeTags, d.Tags, func(t weir.DeviceTag) string { return t.Key })
			d.Attributes = over(recipeAttrs, d.Attributes, func(a weir.DeviceAttribute) string { return a.Name })
		}
	}
	if err == nil {
		err = env.Devices.Devices.CreateDevice(ctx, d)
	}
	switch {
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	case err != nil:
		return 0, setResult(p, n.result, n.hasResult, platformError(err))
	}
	if env.Devices.Events != nil {
		if err := env.Devices.Events.DeviceCreated(ctx, d); err != nil {
			return 0, err
		}
	}
	v, err := deviceValue(ctx, env, d, n.shape)
	if err != nil {
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, v)
}

// start returns the device the node starts from: the recipe's, or a
// standalone one.
func (n *createDevice) start(ctx context.Context, env *engine.Env, p engine.Payload) (*weir.Device, error) {
	if n.recipe == nil {
		return &weir.Device{ApplicationID: env.ApplicationID, DeviceClass: weir.DeviceStandalone}, nil
	}
	id, err := n.recipe.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "recipeIdTemplate: %v", err)
	}
	id = strings.TrimSpace(id)
	if !weir.ValidID(id) || env.Devices.Recipes == nil {
		return nil, weir.Errorf(weir.NotFound, "Device recipe was not found")
	}
	r, err := env.Devices.Recipes.FindDeviceRecipeByID(ctx, env.ApplicationID, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	d := r.NewDevice("", "")
	if d.DeviceClass == "" {
		d.DeviceClass = weir.DeviceStandalone
	}
	return d, nil
}

// over returns the recipe's items whose keys given does not name,
// followed by given: tags by key, attributes by name.
func over[T any](recipe, given []T, key func(T) string) []T {
	out := make([]T, 0, len(recipe)+len(given))
	for _, r := range recipe {
		if !slices.ContainsFunc(given, func(g T) bool { return key(g) == key(r) }) {
			out = append(out, r)
		}
	}
	return append(out, given...)
}
