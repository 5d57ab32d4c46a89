package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CreateEventNode",
		Name:     "create-event",
		Category: "output",
		Summary:  "Creates an event in the application (at most one per second per application, as Losant allows).",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "payloadPath", "jsonTemplate"}, Default: "individualFields",
				Doc: "individualFields builds the event from the templates below; payloadPath reads a whole eventPost at eventPayloadPath; jsonTemplate renders one from eventJsonTemplate."},
			{Name: "levelTemplate", Kind: "template", Doc: "info, warning, error or critical."},
			{Name: "subjectTemplate", Kind: "template", Doc: "The subject, 1 to 255 characters."},
			{Name: "messageTemplate", Kind: "template", Doc: "The message (markdown), at most 32767 characters."},
			{Name: "stateTemplate", Kind: "template", Doc: "new (blank), acknowledged or resolved."},
			{Name: "deviceIdTemplate", Kind: "template", Doc: "A device of the application the event is about; blank for none."},
			{Name: "eventTags", Kind: "array", Doc: "Tags, each {keyTemplate, valueTemplate}; pairs rendering blank are left out."},
			{Name: "dataSourceType", Kind: "enum", Enum: []string{"payloadPath", "jsonTemplate"}, Default: "payloadPath", Doc: "Where the event's data comes from."},
			{Name: "dataSourcePath", Kind: "path", Doc: "The data's payload path (\".\" for the whole payload); blank for none."},
			{Name: "dataSourceJson", Kind: "jsonTemplate", Doc: "The data as a JSON template."},
			{Name: "timeSourceType", Kind: "enum", Enum: []string{"now", "payloadTime", "payloadPath"}, Default: "now", Doc: "The event's creation date: now, the payload's time, or the value at timeSourcePath."},
			{Name: "timeSourcePath", Kind: "path", Doc: "The creation date's payload path."},
			{Name: "eventPayloadPath", Kind: "path", Doc: "payloadPath: where the eventPost document is."},
			{Name: "eventJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: the eventPost document."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put the new event, or {error: {type, message}} when it is refused (TooManyRequests over the rate limit)."},
		},
	}, buildCreateEvent)
}

type createEvent struct {
	method    string
	fields    eventFields
	doc       eventDoc
	when      timeSource
	result    path.Path
	hasResult bool
}

func buildCreateEvent(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		eventFieldsConfig
		DataMethod        string      `json:"dataMethod"`
		TimeSourceType    string      `json:"timeSourceType"`
		TimeSourcePath    string      `json:"timeSourcePath"`
		EventPayloadPath  string      `json:"eventPayloadPath"`
		EventJSONTemplate engine.Text `json:"eventJsonTemplate"`
		ResultPath        string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &createEvent{method: cfg.DataMethod}
	var err error
	switch n.method {
	case "", "individualFields":
		n.method = "individualFields"
		n.fields, err = cfg.eventFieldsConfig.compile()
	case "payloadPath", "jsonTemplate":
		n.doc, err = compileEventDoc(n.method, cfg.EventJSONTemplate, cfg.EventPayloadPath)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, payloadPath or jsonTemplate")
	}
	if err != nil {
		return nil, err
	}
	if n.when, err = compileTimeSource(cfg.TimeSourceType, cfg.TimeSourcePath, "now"); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec creates the event and writes it, or the refusal, at resultPath.
func (n *createEvent) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needEvents(env); err != nil {
		return 0, err
	}
	e, err := n.event(env, p)
	if err == nil {
		e.EventSource = flowSource(env, p)
		err = env.Events.Create(ctx, e)
	}
	if err != nil {
		return eventResult(p, n.result, n.hasResult, nil, err)
	}
	v, err := eventValue(e)
	return eventResult(p, n.result, n.hasResult, v, err)
}

// event builds the new event from the payload.
func (n *createEvent) event(env *engine.Env, p engine.Payload) (*weir.Event, error) {
	now := nowOf(env)
	var e *weir.Event
	if n.method != "individualFields" {
		doc, err := n.doc.value(p)
		if err != nil {
			return nil, err
		}
		if e, err = weir.DecodeEventPost(doc, "event", env.ApplicationID, now); err != nil {
			return nil, err
		}
	} else {
		e = &weir.Event{ApplicationID: env.ApplicationID}
		for name, dst := range map[string]*string{"levelTemplate": &e.Level, "subjectTemplate": &e.Subject,
			"messageTemplate": &e.Message, "stateTemplate": &e.State, "deviceIdTemplate": &e.DeviceID} {
			v, err := n.fields.render(name, p)
			if err != nil {
				return nil, err
			}
			if v != nil {
				*dst = *v
			}
		}
		e.Level, e.State, e.DeviceID = strings.ToLower(e.Level), strings.ToLower(e.State), strings.ToLower(e.DeviceID)
		var err error
		if e.EventTags, err = n.fields.renderTags(p, false); err != nil {
			return nil, err
		}
		if e.Data, err = n.fields.data.value(p); err != nil {
			return nil, err
		}
	}
	if e.CreationDate.IsZero() {
		e.CreationDate = n.when.time(now, p)
	}
	return e, nil
}
