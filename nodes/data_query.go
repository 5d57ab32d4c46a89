package nodes

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// The Time Series and Gauge Query nodes share their device selection,
// attributes, time range, aggregation and error handling; this file
// compiles and renders them.

// dataQueryConfig is the config both data nodes read.
type dataQueryConfig struct {
	FindMethod         string          `json:"findMethod"`
	DeviceIDs          []engine.Text   `json:"deviceIds"`
	DeviceTags         []dataTagConfig `json:"deviceTags"`
	DeviceIDsPath      string          `json:"deviceIdsPath"`
	QueryTemplate      engine.Text     `json:"queryTemplate"`
	ParentIDTemplate   engine.Text     `json:"parentIdTemplate"`
	Attribute          json.RawMessage `json:"attribute"`
	Duration           engine.Text     `json:"duration"`
	End                engine.Text     `json:"end"`
	Aggregation        engine.Text     `json:"aggregation"`
	AggregationOptions []tagTemplate   `json:"aggregationOptions"`
	PerDeviceResults   bool            `json:"perDeviceResults"`
	ErrorBehavior      string          `json:"errorBehavior"`
	ErrorPath          string          `json:"errorPath"`
	ResultPath         string          `json:"resultPath"`
}

// dataTagConfig is one {key, value} of deviceTags (either may be a
// template).
type dataTagConfig struct {
	Key   engine.Text `json:"key"`
	Value engine.Text `json:"value"`
}

// dataQueryFields document the shared config.
var dataQueryFields = []engine.Field{
	{Name: "findMethod", Kind: "enum", Enum: []string{"tagsIds", "payloadPath", "query", "parentId"}, Default: "tagsIds",
		Doc: "tagsIds: the devices of deviceIds and those carrying one of deviceTags; payloadPath: the id or ids at deviceIdsPath; query: the devices queryTemplate matches; parentId: the children of the device parentIdTemplate names. expUser and expGroupId are refused. Without findMethod, deviceIdsPath selects payloadPath."},
	{Name: "deviceIds", Kind: "array", Doc: "tagsIds: device ids (templates)."},
	{Name: "deviceTags", Kind: "array", Doc: "tagsIds: tags, each {key, value} (templates; an empty side matches any)."},
	{Name: "deviceIdsPath", Kind: "path", Doc: "payloadPath: where the device id, or an array of ids, is on the payload."},
	{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "query: an advanced device query."},
	{Name: "parentIdTemplate", Kind: "template", Doc: "parentId: the id of the device whose children are selected."},
	{Name: "attribute", Kind: "array", Doc: "The attribute, or a list of attributes (templates; a rendered comma list names several)."},
	{Name: "end", Kind: "template", Doc: "End of the range in ms since the epoch; 0, blank or not a number: now; negative: that long before now."},
	{Name: "aggregation", Kind: "template", Default: "MEAN", Doc: "FIRST, LAST, COUNT, MAX, MIN, MEDIAN, MEAN, SUM, STD_DEV or TIMEATVALUE (ms the attribute held aggregationOptions' value)."},
	{Name: "aggregationOptions", Kind: "array", Doc: "TIMEATVALUE: [{keyTemplate: \"value\", valueTemplate}]."},
	{Name: "perDeviceResults", Kind: "bool", Default: "false", Doc: "Key the result by device id instead of combining every device."},
	{Name: "errorBehavior", Kind: "enum", Enum: []string{"throw", "payloadPath"}, Default: "throw", Doc: "throw fails the run on a bad query; payloadPath writes {type, message} at errorPath and goes on."},
	{Name: "errorPath", Kind: "path", Doc: "Where the error goes with errorBehavior payloadPath."},
}

// dataQuery is the compiled shared config.
type dataQuery struct {
	method      string
	ids         []*template.Template
	tags        []compiledTag
	idsPath     path.Path
	query       *template.Template
	parent      *template.Template
	attributes  []*template.Template
	duration    *template.Template
	end         *template.Template
	aggregation *template.Template
	value       *template.Template // TIMEATVALUE's; nil: none given
	perDevice   bool
	errorToPath bool
	errorPath   path.Path
	result      path.Path
	defaultAgg  string
}

// compileDataQuery compiles cfg; defaultAgg is the aggregation when the
// template renders blank.
func compileDataQuery(cfg dataQueryConfig, defaultAgg string) (*dataQuery, error) {
	n := &dataQuery{method: cfg.FindMethod, perDevice: cfg.PerDeviceResults, defaultAgg: defaultAgg}
	if n.method == "" {
		n.method = "tagsIds"
		if cfg.DeviceIDsPath != "" {
			n.method = "payloadPath"
		}
	}
	var err error
	switch n.method {
	case "tagsIds":
		for i, id := range cfg.DeviceIDs {
			t, err := engine.CompileTemplate("deviceIds["+strconv.Itoa(i)+"]", string(id))
			if err != nil {
				return nil, err
			}
			n.ids = append(n.ids, t)
		}
		tags := make([]tagTemplate, len(cfg.DeviceTags))
		for i, t := range cfg.DeviceTags {
			tags[i] = tagTemplate{KeyTemplate: t.Key, ValueTemplate: t.Value}
		}
		if n.tags, err = compileTags("deviceTags", tags); err != nil {
			return nil, err
		}
	case "payloadPath":
		if n.idsPath, _, err = engine.CompilePath("deviceIdsPath", cfg.DeviceIDsPath, true); err != nil {
			return nil, err
		}
	case "query":
		if n.query, err = engine.CompileTemplate("queryTemplate", string(cfg.QueryTemplate)); err != nil {
			return nil, err
		}
	case "parentId":
		if n.parent, err = engine.CompileTemplate("parentIdTemplate", string(cfg.ParentIDTemplate)); err != nil {
			return nil, err
		}
	default:
		return nil, engine.Errorf("Validation", "findMethod %q is not supported", n.method)
	}
	if n.attributes, err = compileAttributes(cfg.Attribute); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		text engine.Text
		dst  **template.Template
	}{{"duration", cfg.Duration, &n.duration}, {"end", cfg.End, &n.end}, {"aggregation", cfg.Aggregation, &n.aggregation}} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.text)); err != nil {
			return nil, err
		}
	}
	for i, o := range cfg.AggregationOptions {
		if strings.TrimSpace(string(o.KeyTemplate)) != "value" {
			continue
		}
		if n.value, err = engine.CompileTemplate("aggregationOptions["+strconv.Itoa(i)+"].valueTemplate", string(o.ValueTemplate)); err != nil {
			return nil, err
		}
	}
	switch cfg.ErrorBehavior {
	case "", "throw":
	case "payloadPath":
		n.errorToPath = true
		if n.errorPath, _, err = engine.CompilePath("errorPath", cfg.ErrorPath, true); err != nil {
			return nil, err
		}
	default:
		return nil, engine.Errorf("Validation", "errorBehavior must be throw or payloadPath")
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// compileAttributes reads attribute: one template or a list of them.
func compileAttributes(raw json.RawMessage) ([]*template.Template, error) {
	var list []engine.Text
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, engine.Errorf("Validation", "attribute must be a name or a list of names")
		}
	} else if len(raw) > 0 && string(raw) != "null" {
		var one engine.Text
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, engine.Errorf("Validation", "attribute must be a name or a list of names")
		}
		list = []engine.Text{one}
	}
	out := make([]*template.Template, 0, len(list))
	for i, t := range list {
		c, err := engine.CompileTemplate("attribute["+strconv.Itoa(i)+"]", string(t))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// renderAttributes returns the attribute names, each rendered template
// split on commas; none is Validation.
func (n *dataQuery) renderAttributes(p engine.Payload) ([]string, error) {
	var out []string
	for _, t := range n.attributes {
		s, err := t.Render(p)
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "attribute: %v", err)
		}
		for _, name := range strings.Split(s, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out = append(out, name)
			}
		}
	}
	if len(out) == 0 {
		return nil, weir.Errorf(weir.Validation, "attribute is required")
	}
	return out, nil
}

// renderSelection renders the device selection against p.
func (n *dataQuery) renderSelection(p engine.Payload) (weir.DeviceSelection, error) {
	var sel weir.DeviceSelection
	switch n.method {
	case "query":
		v, err := n.query.RenderJSON(p)
		if err != nil {
			return sel, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
		}
		if sel.Query, err = weir.ParseDeviceQuery(v); err != nil {
			return sel, err
		}
		return sel, nil
	case "parentId":
		s, err := n.parent.Render(p)
		if err != nil {
			return sel, weir.Errorf(weir.Validation, "parentIdTemplate: %v", err)
		}
		if s = strings.ToLower(strings.TrimSpace(s)); weir.ValidID(s) {
			sel.Query, err = weir.ParseDeviceQuery(map[string]any{"parentId": s})
			return sel, err
		}
	case "payloadPath":
		var raw []any
		switch v := n.idsPath.Get(p).(type) {
		case []any:
			raw = v
		case nil:
		default:
			raw = []any{v}
		}
		for _, v := range raw {
			if s, ok := v.(string); ok && weir.ValidID(strings.TrimSpace(s)) {
				sel.IDs = append(sel.IDs, strings.ToLower(strings.TrimSpace(s)))
			}
		}
	default:
		for _, t := range n.ids {
			s, err := t.Render(p)
			if err != nil {
				return sel, weir.Errorf(weir.Validation, "deviceIds: %v", err)
			}
			if s = strings.ToLower(strings.TrimSpace(s)); weir.ValidID(s) {
				sel.IDs = append(sel.IDs, s)
			}
		}
		tags, err := renderTags(n.tags, p)
		if err != nil {
			return sel, err
		}
		sel.Tags = tags
	}
	if len(sel.IDs) == 0 && len(sel.Tags) == 0 {
		sel.IDs = []string{} // nothing selected: no device, not every device
	}
	return sel, nil
}

// renderMillis renders t as a whole number of ms; ok is false when it
// renders blank or not a number.
func renderMillis(t *template.Template, p engine.Payload) (int64, bool, error) {
	s, err := t.Render(p)
	if err != nil {
		return 0, false, err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1<<50 {
		return 0, false, nil
	}
	return int64(f), true, nil
}

// renderParams renders the time range and aggregation into p's fields.
func (n *dataQuery) renderParams(p engine.Payload) (weir.TimeSeriesParams, error) {
	var tp weir.TimeSeriesParams
	if v, ok, err := renderMillis(n.end, p); err != nil {
		return tp, weir.Errorf(weir.Validation, "end: %v", err)
	} else if ok {
		tp.End = &v
	}
	if v, ok, err := renderMillis(n.duration, p); err != nil {
		return tp, weir.Errorf(weir.Validation, "duration: %v", err)
	} else if ok && v > 0 {
		tp.Duration = &v
	}
	agg, err := n.aggregation.Render(p)
	if err != nil {
		return tp, weir.Errorf(weir.Validation, "aggregation: %v", err)
	}
	tp.Aggregation = strings.ToUpper(strings.TrimSpace(agg))
	if tp.Aggregation == "" {
		tp.Aggregation = n.defaultAgg
	}
	if tp.Aggregation == weir.AggregationTimeAtValue && n.value != nil {
		v, err := n.value.Render(p)
		if err != nil {
			return tp, weir.Errorf(weir.Validation, "aggregationOptions: %v", err)
		}
		tp.Value = v
	}
	return tp, nil
}

// dataRequest is a data node's query rendered against one payload.
type dataRequest struct {
	attrs  []string
	sel    weir.DeviceSelection
	params weir.TimeSeriesParams
}

// exec runs a data node: it renders the shared config against p, has
// query answer it, and writes the answer at resultPath (see finish).
func (n *dataQuery) exec(env *engine.Env, p engine.Payload, query func(r dataRequest) (any, error)) (int, error) {
	if env.Devices == nil || env.Devices.Data == nil {
		return 0, engine.Errorf("Error", "device data is not available to this run")
	}
	var (
		r   dataRequest
		out any
		err error
	)
	r.attrs, err = n.renderAttributes(p)
	if err == nil {
		r.sel, err = n.renderSelection(p)
	}
	if err == nil {
		r.params, err = n.renderParams(p)
	}
	if err == nil {
		out, err = query(r)
	}
	return n.finish(p, out, err)
}

// finish writes out at resultPath, or handles err: internal errors fail
// the run; query errors fail it too unless errorBehavior is payloadPath.
func (n *dataQuery) finish(p engine.Payload, out any, err error) (int, error) {
	switch {
	case err == nil:
		return 0, setResult(p, n.result, true, out)
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	case n.errorToPath:
		return 0, setResult(p, n.errorPath, true, platformError(err)["error"])
	}
	return 0, engine.Errorf(string(weir.ErrorTypeOf(err)), "%s", weir.ErrorMessage(err))
}
