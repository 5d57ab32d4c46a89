package nodes

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// needEvents fails an event node's run when the run cannot reach events.
func needEvents(env *engine.Env) error {
	if env.Events == nil || env.Events.Events == nil {
		return engine.Errorf("Error", "events are not available to this run")
	}
	return nil
}

// eventValue returns e as the event nodes write it: Losant's event
// document, its dates as times.
func eventValue(e *weir.Event) (any, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	v, err := engine.DecodeValue(b)
	if err != nil {
		return nil, err
	}
	m := v.(map[string]any)
	m["eventId"], m["creationDate"], m["lastUpdated"] = e.ID, e.CreationDate, e.LastUpdated
	return m, nil
}

// eventValues is eventValue of each event.
func eventValues(es []*weir.Event) ([]any, error) {
	out := make([]any, 0, len(es))
	for _, e := range es {
		v, err := eventValue(e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// flowSource names the run's flow as the source of the events it creates
// or changes.
func flowSource(env *engine.Env, p engine.Payload) weir.EventSource {
	name, _ := p["flowName"].(string)
	if n := len([]rune(name)); n > 255 {
		name = string([]rune(name)[:255])
	}
	return weir.EventSource{SourceType: weir.EventSourceFlow, SourceID: env.FlowID, SourceName: name}
}

// renderEventQuery renders a queryTemplate into an advanced event query;
// blank or {} selects every event.
func renderEventQuery(t *template.Template, p engine.Payload) (*weir.EventQuery, error) {
	s, err := t.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := t.RenderJSON(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "queryTemplate: %v", err)
	}
	return weir.ParseEventQuery(v)
}

// eventData is where an event node's data comes from: dataSourceType
// payloadPath (dataSourcePath; blank: none) or jsonTemplate
// (dataSourceJson).
type eventData struct {
	json    *template.Template
	path    path.Path
	hasPath bool
}

// eventDataConfig is the config of eventData.
type eventDataConfig struct {
	DataSourceType string      `json:"dataSourceType"`
	DataSourcePath string      `json:"dataSourcePath"`
	DataSourceJSON engine.Text `json:"dataSourceJson"`
}

func (c eventDataConfig) compile() (eventData, error) {
	var d eventData
	var err error
	switch c.DataSourceType {
	case "", "payloadPath":
		d.path, d.hasPath, err = engine.CompilePath("dataSourcePath", c.DataSourcePath, false)
	case "jsonTemplate":
		d.json, err = engine.CompileTemplate("dataSourceJson", string(c.DataSourceJSON))
	default:
		err = engine.Errorf("Validation", "dataSourceType must be payloadPath or jsonTemplate")
	}
	return d, err
}

// value returns the data as JSON, or nil for none.
func (d eventData) value(p engine.Payload) (json.RawMessage, error) {
	var v any
	switch {
	case d.json != nil:
		s, err := d.json.Render(p)
		if err != nil || strings.TrimSpace(s) == "" {
			return nil, templateErr("dataSourceJson", err)
		}
		if v, err = d.json.RenderJSON(p); err != nil {
			return nil, weir.Errorf(weir.Validation, "dataSourceJson: %v", err)
		}
	case d.hasPath:
		v = d.path.Get(p) // "." is the whole payload
	}
	if v == nil {
		return nil, nil
	}
	return engine.EncodeValue(v), nil
}

// templateErr words a template's render error, or is nil.
func templateErr(field string, err error) error {
	if err == nil {
		return nil
	}
	return weir.Errorf(weir.Validation, "%s: %v", field, err)
}

// renderOptional renders an optional template: nil when it renders blank.
func renderOptional(field string, t *template.Template, p engine.Payload) (*string, error) {
	if t == nil {
		return nil, nil
	}
	s, err := t.Render(p)
	if err != nil {
		return nil, templateErr(field, err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	return &s, nil
}

// compileBlankable compiles a template that may be blank (nil then).
func compileBlankable(field string, src engine.Text) (*template.Template, error) {
	if strings.TrimSpace(string(src)) == "" {
		return nil, nil
	}
	return engine.CompileTemplate(field, string(src))
}

// nowOf is the run's clock.
func nowOf(env *engine.Env) time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// eventResult writes v at the node's result path, or the error when the
// platform refused; an internal error fails the run.
func eventResult(p engine.Payload, at path.Path, ok bool, v any, err error) (int, error) {
	switch {
	case err == nil:
		return 0, setResult(p, at, ok, v)
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	}
	return 0, setResult(p, at, ok, platformError(err))
}

// eventDoc is a whole eventPost or eventPatch document a node reads from a
// JSON template or a payload path (dataMethod jsonTemplate or payloadPath).
type eventDoc struct {
	json *template.Template
	at   path.Path
}

// compileEventDoc compiles eventJsonTemplate (method jsonTemplate) or
// eventPayloadPath (payloadPath).
func compileEventDoc(method string, jsonSrc engine.Text, pathSrc string) (eventDoc, error) {
	var d eventDoc
	var err error
	if method == "jsonTemplate" {
		d.json, err = engine.CompileTemplate("eventJsonTemplate", string(jsonSrc))
	} else {
		d.at, _, err = engine.CompilePath("eventPayloadPath", pathSrc, true)
	}
	return d, err
}

// value returns the document as JSON; it must be an object.
func (d eventDoc) value(p engine.Payload) (json.RawMessage, error) {
	var doc any
	if d.json != nil {
		v, err := d.json.RenderJSON(p)
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "eventJsonTemplate: %v", err)
		}
		doc = v
	} else {
		doc = d.at.Get(p)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, weir.Errorf(weir.Validation, "event must be an object")
	}
	return engine.EncodeValue(doc), nil
}

// eventFieldsConfig is the individual fields of Event: Create and Event:
// Update (dataMethod individualFields): templates, tags and data.
type eventFieldsConfig struct {
	eventDataConfig
	LevelTemplate    engine.Text   `json:"levelTemplate"`
	SubjectTemplate  engine.Text   `json:"subjectTemplate"`
	MessageTemplate  engine.Text   `json:"messageTemplate"`
	StateTemplate    engine.Text   `json:"stateTemplate"`
	CommentTemplate  engine.Text   `json:"commentTemplate"`
	DeviceIDTemplate engine.Text   `json:"deviceIdTemplate"`
	EventTags        []tagTemplate `json:"eventTags"`
}

// eventFields is eventFieldsConfig compiled: the templates by config key
// (nil when blank), tags and data.
type eventFields struct {
	t    map[string]*template.Template
	tags []compiledTag
	data eventData
}

func (c eventFieldsConfig) compile() (eventFields, error) {
	f := eventFields{t: map[string]*template.Template{}}
	for name, src := range map[string]engine.Text{"levelTemplate": c.LevelTemplate, "subjectTemplate": c.SubjectTemplate,
		"messageTemplate": c.MessageTemplate, "stateTemplate": c.StateTemplate, "commentTemplate": c.CommentTemplate,
		"deviceIdTemplate": c.DeviceIDTemplate} {
		t, err := compileBlankable(name, src)
		if err != nil {
			return f, err
		}
		f.t[name] = t
	}
	var err error
	if f.tags, err = compileTags("eventTags", c.EventTags); err != nil {
		return f, err
	}
	f.data, err = c.eventDataConfig.compile()
	return f, err
}

// render renders the field's template, trimmed; nil when it is blank or
// renders blank.
func (f eventFields) render(name string, p engine.Payload) (*string, error) {
	return renderOptional(name, f.t[name], p)
}

// renderTags renders the tags; pairs with a blank key are left out, and so
// are blank values unless keepBlank (a patch's "remove this key").
func (f eventFields) renderTags(p engine.Payload, keepBlank bool) (map[string]string, error) {
	tags, err := renderTags(f.tags, p)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range tags {
		if t.Key != "" && (t.Value != "" || keepBlank) {
			out[t.Key] = t.Value
		}
	}
	return out, nil
}
