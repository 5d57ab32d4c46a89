package nodes

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var getDeviceMethods = []string{"id", "name", "findByAllTags", "findByAnyTags", "findByParentId", "query", "experienceGroupId", "experienceUserIdOrEmail"}

func init() {
	engine.Register(engine.Spec{
		Type:     "GetDeviceNode",
		Name:     "get-device",
		Category: "data",
		Summary:  "Looks up devices of the application by id, name or tags and puts them on the payload.",
		Outputs:  []string{"next"},
		Fields: slices.Concat([]engine.Field{
			{Name: "findMethod", Kind: "enum", Enum: getDeviceMethods, Default: "id",
				Doc: "id or name (idTemplate), findByAllTags (every tag must match), findByAnyTags (one must), findByParentId (the children of parentIdTemplate), query (queryTemplate), or the devices an experience group or user (by id or email, idTemplate) may see."},
			{Name: "idTemplate", Kind: "template", Doc: "The device id or name, by findMethod."},
			{Name: "tags", Kind: "array", Doc: "Tags to match, each {keyTemplate, valueTemplate}; an empty side matches any."},
			{Name: "parentIdTemplate", Kind: "template", Doc: "findByParentId: the id of the device whose children are found."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "query: an advanced device query (fields id, name, deviceClass, gatewayId, parentId, ancestorId, creationDate, lastUpdated, connectedAt, disconnectedAt, connectionStatus, attributeName, tags, experienceUserId, experienceGroupId; $and, $or, $nor; $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $contains, $ci). A query weir cannot read writes {error} at resultPath."},
		}, findFieldSpecs("name", "id", "creationDate", "lastUpdated"), []engine.Field{
			{Name: "includeConnectionStatus", Kind: "bool", Default: "true", Doc: "Add connectionInfo {connected: 1, 0 or null, time}."},
			{Name: "includeState", Kind: "bool", Default: "false", Doc: "Add compositeState: each attribute's latest {value, time}."},
			{Name: "attributes", Kind: "array", Doc: "The attributes compositeState lists; empty or null: all."},
			{Name: "tagsAsObject", Kind: "bool", Default: "false", Doc: "Tags as {key: [values]} instead of [{key, value}]."},
			{Name: "attributesAsObject", Kind: "bool", Default: "false", Doc: "Attributes as {name: attribute} instead of a list."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put the device (or null), the array, or {error: {type, message}} when the lookup fails."},
		}),
	}, buildGetDevice)
}

type getDevice struct {
	method string
	id     *template.Template
	parent *template.Template
	query  *template.Template
	tags   []compiledTag
	findOptions
	shape  deviceShape
	result path.Path
}

func buildGetDevice(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		FindMethod       string        `json:"findMethod"`
		IDTemplate       engine.Text   `json:"idTemplate"`
		Tags             []tagTemplate `json:"tags"`
		ParentIDTemplate engine.Text   `json:"parentIdTemplate"`
		QueryTemplate    engine.Text   `json:"queryTemplate"`
		findConfig
		IncludeConnectionStatus *bool           `json:"includeConnectionStatus"`
		IncludeState            bool            `json:"includeState"`
		Attributes              json.RawMessage `json:"attributes"`
		TagsAsObject            bool            `json:"tagsAsObject"`
		AttributesAsObject      bool            `json:"attributesAsObject"`
		ResultPath              string          `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &getDevice{method: cfg.FindMethod}
	if n.method == "" {
		n.method = "id"
	}
	if !slices.Contains(getDeviceMethods, n.method) {
		return nil, engine.Errorf("Validation", "findMethod %q is not supported yet", n.method)
	}
	var err error
	if n.findOptions, err = cfg.findConfig.compile("name"); err != nil {
		return nil, err
	}
	n.shape = deviceShape{connection: cfg.IncludeConnectionStatus == nil || *cfg.IncludeConnectionStatus,
		state: cfg.IncludeState, tagsAsObject: cfg.TagsAsObject, attributesAsObject: cfg.AttributesAsObject}
	if len(cfg.Attributes) > 0 && string(cfg.Attributes) != "null" {
		if err := json.Unmarshal(cfg.Attributes, &n.shape.attributes); err != nil {
			return nil, engine.Errorf("Validation", "attributes must be a list of names")
		}
		if len(n.shape.attributes) == 0 {
			n.shape.attributes = nil
		}
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	if n.method == "query" {
		if n.query, err = engine.CompileTemplate("queryTemplate", string(cfg.QueryTemplate)); err != nil {
			return nil, err
		}
		return n, nil
	}
	if n.method == "findByParentId" {
		if n.parent, err = engine.CompileTemplate("parentIdTemplate", string(cfg.ParentIDTemplate)); err != nil {
			return nil, err
		}
		return n, nil
	}
	if n.method == "id" || n.method == "name" || strings.HasPrefix(n.method, "experience") {
		if n.id, err = engine.CompileTemplate("idTemplate", string(cfg.IDTemplate)); err != nil {
			return nil, err
		}
		return n, nil
	}
	if n.tags, err = compileTags("tags", cfg.Tags); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec looks the devices up and writes them at resultPath.
func (n *getDevice) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needDevices(env); err != nil {
		return 0, err
	}
	page, perPage := n.paging(p)
	ds, total, err := n.find(ctx, env, p, page, perPage)
	if err != nil {
		if weir.ErrorTypeOf(err) == weir.Internal {
			return 0, err
		}
		return 0, setResult(p, n.result, true, platformError(err))
	}
	items := make([]any, 0, len(ds))
	for _, d := range ds {
		v, err := deviceValue(ctx, env, d, n.shape)
		if err != nil {
			return 0, err
		}
		items = append(items, v)
	}
	return 0, setResult(p, n.result, true, n.findOptions.result(items, total, page, perPage))
}

// find returns the matching devices (one page with findMultiple) and how
// many match.
func (n *getDevice) find(ctx context.Context, env *engine.Env, p engine.Payload, page, perPage int) ([]*weir.Device, int, error) {
	opts := weir.ListOptions{SortField: n.sortField, SortDirection: n.sortDir}
	if n.multiple {
		opts.Page, opts.PerPage = page, perPage
	} else {
		opts.PerPage = 1
	}
	filter := weir.DeviceFilter{ApplicationID: env.ApplicationID, ListOptions: opts}
	switch n.method {
	case "query":
		v, err := n.query.RenderJSON(p)
		if err != nil {
			return nil, 0, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
		}
		if filter.Query, err = weir.ParseDeviceQuery(v); err != nil {
			return nil, 0, err
		}
		if err := withExperience(ctx, env, filter.Query); err != nil {
			return nil, 0, err
		}
	case "experienceGroupId", "experienceUserIdOrEmail":
		v, err := n.id.Render(p)
		if err != nil {
			return nil, 0, engine.Errorf("Validation", "idTemplate: %v", err)
		}
		field := map[string]string{"experienceGroupId": "experienceGroupId", "experienceUserIdOrEmail": "experienceUserId"}[n.method]
		filter.Query, _ = weir.ParseDeviceQuery(map[string]any{field: strings.TrimSpace(v)})
		if err := withExperience(ctx, env, filter.Query); err != nil {
			return nil, 0, err
		}
	case "findByParentId":
		v, err := n.parent.Render(p)
		if err != nil {
			return nil, 0, engine.Errorf("Validation", "parentIdTemplate: %v", err)
		}
		if v = strings.TrimSpace(v); !weir.ValidID(v) {
			return nil, 0, nil
		}
		filter.ParentID = strings.ToLower(v)
	case "id", "name":
		v, err := n.id.Render(p)
		if err != nil {
			return nil, 0, engine.Errorf("Validation", "idTemplate: %v", err)
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, 0, nil
		}
		if n.method == "id" {
			if !weir.ValidID(v) {
				return nil, 0, nil
			}
			filter.IDs = []string{strings.ToLower(v)}
		} else {
			return n.byName(ctx, env, filter, v)
		}
	default:
		tags, err := renderTags(n.tags, p)
		if err != nil {
			return nil, 0, err
		}
		if len(tags) == 0 {
			return nil, 0, nil
		}
		if n.method == "findByAnyTags" {
			return n.byAnyTag(ctx, env, filter, tags)
		}
		filter.Tags = tags
	}
	return env.Devices.Devices.FindDevices(ctx, filter)
}

// byName returns the devices named exactly name.
func (n *getDevice) byName(ctx context.Context, env *engine.Env, filter weir.DeviceFilter, name string) ([]*weir.Device, int, error) {
	filter.FilterField, filter.Filter = "name", strings.ReplaceAll(name, "*", "")
	paged := filter.ListOptions
	filter.Page, filter.PerPage = 0, 0
	all, _, err := env.Devices.Devices.FindDevices(ctx, filter)
	if err != nil {
		return nil, 0, err
	}
	var same []*weir.Device
	for _, d := range all {
		if d.Name == name {
			same = append(same, d)
		}
	}
	return pageOf(same, paged), len(same), nil
}

// byAnyTag returns the devices carrying one of tags, in the filter's order.
func (n *getDevice) byAnyTag(ctx context.Context, env *engine.Env, filter weir.DeviceFilter, tags []weir.TagFilter) ([]*weir.Device, int, error) {
	paged := filter.ListOptions
	filter.Page, filter.PerPage = 0, 0
	all, _, err := env.Devices.Devices.FindDevices(ctx, filter)
	if err != nil {
		return nil, 0, err
	}
	var any []*weir.Device
	for _, d := range all {
		for _, t := range tags {
			if d.HasTag(t.Key, t.Value) {
				any = append(any, d)
				break
			}
		}
	}
	return pageOf(any, paged), len(any), nil
}

// pageOf returns the page of ds that opts selects; PerPage 0 selects all.
func pageOf(ds []*weir.Device, opts weir.ListOptions) []*weir.Device {
	start := min(opts.Page*opts.PerPage, len(ds))
	end := len(ds)
	if opts.PerPage > 0 {
		end = min(start+opts.PerPage, len(ds))
	}
	return ds[start:end]
}
