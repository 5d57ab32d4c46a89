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
		Type:     "UpdateEventNode",
		Name:     "update-event",
		Category: "output",
		Summary:  "Changes an event of the application (its state, level, subject, device, tags), or every event a query matches, recording the change as an update.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "targetEventIdTemplate", Kind: "template", Doc: "The event's id; when set, the query is ignored."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "An advanced event query: the first match (by sortField and sortDirection) is changed, or every match with updateMultiple."},
			{Name: "updateMultiple", Kind: "bool", Default: "false", Doc: "Change every event the query matches; resultPath gets {success: true}."},
			{Name: "sortField", Kind: "enum", Enum: eventSortFields, Default: "creationDate", Doc: "Which match is first."},
			{Name: "sortDirection", Kind: "enum", Enum: []string{"asc", "desc"}, Default: "desc", Doc: "Direction of the order."},
			{Name: "dataMethod", Kind: "enum", Enum: []string{"individualFields", "jsonTemplate", "payloadPath"}, Default: "individualFields", Doc: "individualFields uses the templates below (blank: unchanged); jsonTemplate and payloadPath give an eventPatch document."},
			{Name: "stateTemplate", Kind: "template", Doc: "new, acknowledged or resolved."},
			{Name: "levelTemplate", Kind: "template", Doc: "info, warning, error or critical."},
			{Name: "subjectTemplate", Kind: "template", Doc: "The new subject."},
			{Name: "commentTemplate", Kind: "template", Doc: "A comment recorded with the update."},
			{Name: "deviceIdTemplate", Kind: "template", Doc: "A device of the application; \"null\" unlinks the event's device."},
			{Name: "eventTags", Kind: "array", Doc: "Tags merged into the event's, each {keyTemplate, valueTemplate}; a blank value removes the key."},
			{Name: "dataSourceType", Kind: "enum", Enum: []string{"payloadPath", "jsonTemplate"}, Default: "payloadPath", Doc: "Where the update's data comes from."},
			{Name: "dataSourcePath", Kind: "path", Doc: "The data's payload path; blank for none."},
			{Name: "dataSourceJson", Kind: "jsonTemplate", Doc: "The data as a JSON template."},
			{Name: "eventJsonTemplate", Kind: "jsonTemplate", Doc: "jsonTemplate: the eventPatch document."},
			{Name: "eventPayloadPath", Kind: "path", Doc: "payloadPath: where the eventPatch document is."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put the updated event (null when nothing matched), {success: true} with updateMultiple, or {error: {type, message}}."},
		},
	}, buildUpdateEvent)
}

type updateEvent struct {
	id, query          *template.Template
	multiple           bool
	sortField, sortDir string
	method             string
	fields             eventFields
	doc                eventDoc
	result             path.Path
	hasResult          bool
}

func buildUpdateEvent(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		eventLookupConfig
		eventFieldsConfig
		TargetEventIDTemplate engine.Text `json:"targetEventIdTemplate"`
		EventIDTemplate       engine.Text `json:"eventIdTemplate"`
		UpdateMultiple        bool        `json:"updateMultiple"`
		DataMethod            string      `json:"dataMethod"`
		EventJSONTemplate     engine.Text `json:"eventJsonTemplate"`
		EventPayloadPath      string      `json:"eventPayloadPath"`
		ResultPath            string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.TargetEventIDTemplate == "" {
		cfg.TargetEventIDTemplate = cfg.EventIDTemplate // the name Losant's documentation uses
	}
	n := &updateEvent{multiple: cfg.UpdateMultiple, method: cfg.DataMethod}
	var err error
	if n.id, err = compileBlankable("targetEventIdTemplate", cfg.TargetEventIDTemplate); err != nil {
		return nil, err
	}
	if n.query, n.sortField, n.sortDir, err = cfg.eventLookupConfig.compile(); err != nil {
		return nil, err
	}
	switch n.method {
	case "", "individualFields":
		n.method = "individualFields"
		n.fields, err = cfg.eventFieldsConfig.compile()
	case "jsonTemplate", "payloadPath":
		n.doc, err = compileEventDoc(n.method, cfg.EventJSONTemplate, cfg.EventPayloadPath)
	default:
		err = engine.Errorf("Validation", "dataMethod must be individualFields, jsonTemplate or payloadPath")
	}
	if err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec changes the event (or events) and writes the outcome at
// resultPath.
func (n *updateEvent) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needEvents(env); err != nil {
		return 0, err
	}
	patch, err := n.patch(p)
	if err != nil {
		return eventResult(p, n.result, n.hasResult, nil, err)
	}
	src := flowSource(env, p)
	var target *weir.Event
	switch {
	case n.id != nil:
		target, err = findEventByTemplate(ctx, env, n.id, "targetEventIdTemplate", p)
	case n.multiple:
		q, qerr := renderEventQuery(n.query, p)
		if qerr != nil {
			return eventResult(p, n.result, n.hasResult, nil, qerr)
		}
		_, err = env.Events.UpdateMany(ctx, weir.EventFilter{ApplicationID: env.ApplicationID, Query: q}, patch, src)
		return eventResult(p, n.result, n.hasResult, map[string]any{"success": true}, err)
	default:
		var es []*weir.Event
		es, _, err = findEventsByQuery(ctx, env, n.query, p, weir.ListOptions{PerPage: 1, SortField: n.sortField, SortDirection: n.sortDir})
		if err == nil && len(es) == 0 {
			return 0, setResult(p, n.result, n.hasResult, nil)
		}
		if err == nil {
			target = es[0]
		}
	}
	if err != nil {
		return eventResult(p, n.result, n.hasResult, nil, err)
	}
	e, err := env.Events.Update(ctx, env.ApplicationID, target.ID, patch, src)
	if err != nil {
		return eventResult(p, n.result, n.hasResult, nil, err)
	}
	v, err := eventValue(e)
	return eventResult(p, n.result, n.hasResult, v, err)
}

// patch renders the change.
func (n *updateEvent) patch(p engine.Payload) (weir.EventPatch, error) {
	switch n.method {
	case "jsonTemplate", "payloadPath":
		doc, err := n.doc.value(p)
		if err != nil {
			return weir.EventPatch{}, err
		}
		return weir.DecodeEventPatch(doc, "event")
	}
	var patch weir.EventPatch
	var err error
	for name, dst := range map[string]**string{"stateTemplate": &patch.State, "levelTemplate": &patch.Level,
		"subjectTemplate": &patch.Subject, "commentTemplate": &patch.Comment, "deviceIdTemplate": &patch.DeviceID} {
		if *dst, err = n.fields.render(name, p); err != nil {
			return weir.EventPatch{}, err
		}
	}
	for _, s := range []*string{patch.State, patch.Level, patch.DeviceID} {
		if s != nil {
			*s = strings.ToLower(*s)
		}
	}
	if patch.DeviceID != nil && *patch.DeviceID == "null" {
		*patch.DeviceID = ""
	}
	if patch.EventTags, err = n.fields.renderTags(p, true); err != nil {
		return weir.EventPatch{}, err
	}
	if len(patch.EventTags) == 0 {
		patch.EventTags = nil
	}
	if patch.Data, err = n.fields.data.value(p); err != nil {
		return weir.EventPatch{}, err
	}
	return patch, patch.Validate()
}
