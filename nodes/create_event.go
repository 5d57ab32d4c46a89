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
	method                         string
	level, subject, message, state *template.Template
	device                         *template.Template
	tags                           []compiledTag
	data                           eventData
	when                           timeSource
	doc                            eventDoc
	result                         path.Path
	hasResult                      bool
}

func buildCreateEvent(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		eventDataConfig
		DataMethod        string        `json:"dataMethod"`
		LevelTemplate     engine.Text   `json:"levelTemplate"`
		SubjectTemplate   engine.Text   `json:"subjectTemplate"`
		MessageTemplate   engine.Text   `json:"messageTemplate"`
		StateTemplate     engine.Text   `json:"stateTemplate"`
		DeviceIDTemplate  engine.Text   `json:"deviceIdTemplate"`
		EventTags         []tagTemplate `json:"eventTags"`
		TimeSourceType    string        `json:"timeSourceType"`
		TimeSourcePath    string        `json:"timeSourcePath"`
		EventPayloadPath  string        `json:"eventPayloadPath"`
		EventJSONTemplate engine.Text   `json:"eventJsonTemplate"`
		ResultPath        string        `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &createEvent{method: cfg.DataMethod}
	var err error
	switch n.method {
	case "", "individualFields":
		n.method = "individualFields"
		for _, f := range []struct {
			name string
			src  engine.Text
			dst  **template.Template
		}{{"levelTemplate", cfg.LevelTemplate, &n.level}, {"subjectTemplate", cfg.SubjectTemplate, &n.subject},
			{"messageTemplate", cfg.MessageTemplate, &n.message}, {"stateTemplate", cfg.StateTemplate, &n.state},
			{"deviceIdTemplate", cfg.DeviceIDTemplate, &n.device}} {
			if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
				return nil, err
			}
		}
		if n.tags, err = compileTags("eventTags", cfg.EventTags); err != nil {
			return nil, err
		}
		if n.data, err = cfg.eventDataConfig.compile(); err != nil {
			return nil, err
		}
	case "payloadPath", "jsonTemplate":
		if n.doc, err = compileEventDoc(n.method, cfg.EventJSONTemplate, cfg.EventPayloadPath); err != nil {
			return nil, err
		}
	default:
		return nil, engine.Errorf("Validation", "dataMethod must be individualFields, payloadPath or jsonTemplate")
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
	switch n.method {
	case "payloadPath", "jsonTemplate":
		doc, err := n.doc.value(p)
		if err != nil {
			return nil, err
		}
		if e, err = weir.DecodeEventPost(doc, "event", env.ApplicationID, now); err != nil {
			return nil, err
		}
	default:
		e = &weir.Event{ApplicationID: env.ApplicationID}
		for _, f := range []struct {
			name string
			t    *template.Template
			dst  *string
		}{{"levelTemplate", n.level, &e.Level}, {"subjectTemplate", n.subject, &e.Subject},
			{"messageTemplate", n.message, &e.Message}, {"stateTemplate", n.state, &e.State},
			{"deviceIdTemplate", n.device, &e.DeviceID}} {
			s, err := f.t.Render(p)
			if err != nil {
				return nil, templateErr(f.name, err)
			}
			*f.dst = s
		}
		e.Level, e.State = strings.ToLower(strings.TrimSpace(e.Level)), strings.ToLower(strings.TrimSpace(e.State))
		e.DeviceID = strings.ToLower(strings.TrimSpace(e.DeviceID))
		tags, err := renderTags(n.tags, p)
		if err != nil {
			return nil, err
		}
		e.EventTags = map[string]string{}
		for _, t := range tags {
			if t.Key != "" && t.Value != "" {
				e.EventTags[t.Key] = t.Value
			}
		}
		if e.Data, err = n.data.value(p); err != nil {
			return nil, err
		}
	}
	if e.CreationDate.IsZero() {
		e.CreationDate = n.when.time(now, p)
	}
	return e, nil
}
