package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// eventSortFields are the orders the event nodes may ask for.
var eventSortFields = []string{"creationDate", "lastUpdated", "level", "state", "subject", "id", "deviceId"}

func init() {
	engine.Register(engine.Spec{
		Type:     "GetEventNode",
		Name:     "get-event",
		Category: "data",
		Summary:  "Looks up events of the application by id or by an advanced event query and puts them on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "eventIdTemplate", Kind: "template", Doc: "The event's id; when set, the other lookup fields are ignored."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "An advanced event query (id, creationDate, lastUpdated, sourceId, sourceType, level, state, subject, deviceId, eventTags; $and, $or, $nor); blank or {} matches every event."},
			{Name: "findMultiple", Kind: "bool", Default: "false", Doc: "Put an array of every match (sorted and paged) instead of the first match or null."},
			{Name: "findMetadata", Kind: "bool", Default: "false", Doc: "With findMultiple, put {count, totalCount, page, perPage, sortField, sortDirection, items}."},
			{Name: "resultsPerPage", Kind: "template", Default: "100", Doc: "Page size with findMultiple, 1 to 1000; blank, 0 or not a number: 100."},
			{Name: "resultsPage", Kind: "template", Default: "0", Doc: "Page (0-based) with findMultiple; blank or not a number: 0."},
			{Name: "sortField", Kind: "enum", Enum: eventSortFields, Default: "creationDate", Doc: "Order of the matches."},
			{Name: "sortDirection", Kind: "enum", Enum: []string{"asc", "desc"}, Default: "desc", Doc: "Direction of the order."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put the event (or null), the array, or {error: {type, message}} when the lookup fails (a malformed query)."},
		},
	}, buildGetEvent)
}

type getEvent struct {
	id, query          *template.Template
	multiple, meta     bool
	perPage, page      *template.Template
	sortField, sortDir string
	result             path.Path
}

// eventLookupConfig is how the event nodes pick events: by id or by query,
// in an order.
type eventLookupConfig struct {
	QueryTemplate engine.Text `json:"queryTemplate"`
	SortField     string      `json:"sortField"`
	SortDirection string      `json:"sortDirection"`
}

// compile returns the query template and the order, defaults applied.
func (c eventLookupConfig) compile() (*template.Template, string, string, error) {
	q, err := engine.CompileTemplate("queryTemplate", string(c.QueryTemplate))
	if err != nil {
		return nil, "", "", err
	}
	field, dir := c.SortField, c.SortDirection
	if field == "" {
		field = "creationDate"
	}
	if !strings.EqualFold(dir, "asc") {
		dir = "desc"
	}
	for _, f := range eventSortFields {
		if f == field {
			return q, field, strings.ToLower(dir), nil
		}
	}
	return nil, "", "", engine.Errorf("Validation", "sortField must be one of %s", strings.Join(eventSortFields, ", "))
}

func buildGetEvent(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		eventLookupConfig
		EventIDTemplate engine.Text `json:"eventIdTemplate"`
		FindMultiple    bool        `json:"findMultiple"`
		FindMetadata    bool        `json:"findMetadata"`
		ResultsPerPage  engine.Text `json:"resultsPerPage"`
		ResultsPage     engine.Text `json:"resultsPage"`
		ResultPath      string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &getEvent{multiple: cfg.FindMultiple, meta: cfg.FindMetadata}
	var err error
	if n.id, err = compileBlankable("eventIdTemplate", cfg.EventIDTemplate); err != nil {
		return nil, err
	}
	if n.query, n.sortField, n.sortDir, err = cfg.eventLookupConfig.compile(); err != nil {
		return nil, err
	}
	if n.perPage, err = engine.CompileTemplate("resultsPerPage", string(cfg.ResultsPerPage)); err != nil {
		return nil, err
	}
	if n.page, err = engine.CompileTemplate("resultsPage", string(cfg.ResultsPage)); err != nil {
		return nil, err
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec looks the events up and writes them at resultPath.
func (n *getEvent) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needEvents(env); err != nil {
		return 0, err
	}
	if n.id != nil {
		e, err := findEventByTemplate(ctx, env, n.id, "eventIdTemplate", p)
		if weir.ErrorTypeOf(err) == weir.NotFound {
			return 0, setResult(p, n.result, true, nil)
		}
		if err != nil {
			return eventResult(p, n.result, true, nil, err)
		}
		v, err := eventValue(e)
		return eventResult(p, n.result, true, v, err)
	}
	page, perPage := renderPaging(n.page, n.perPage, p)
	if !n.multiple {
		page, perPage = 0, 1
	}
	es, total, err := findEventsByQuery(ctx, env, n.query, p, weir.ListOptions{Page: page, PerPage: perPage, SortField: n.sortField, SortDirection: n.sortDir})
	if err != nil {
		return eventResult(p, n.result, true, nil, err)
	}
	items, err := eventValues(es)
	if err != nil {
		return 0, err
	}
	return 0, setResult(p, n.result, true, findResult(items, total, page, perPage, n.multiple, n.meta, n.sortField, n.sortDir))
}

// findEventByTemplate returns the run's application's event whose id the
// template renders, or NotFound.
func findEventByTemplate(ctx context.Context, env *engine.Env, t *template.Template, field string, p engine.Payload) (*weir.Event, error) {
	id, err := t.Render(p)
	if err != nil {
		return nil, templateErr(field, err)
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if !weir.ValidID(id) {
		return nil, weir.Errorf(weir.NotFound, "Event was not found")
	}
	return env.Events.Events.FindEventByID(ctx, env.ApplicationID, id)
}

// findEventsByQuery returns the page opts selects of the events the
// rendered query matches, and how many match.
func findEventsByQuery(ctx context.Context, env *engine.Env, t *template.Template, p engine.Payload, opts weir.ListOptions) ([]*weir.Event, int, error) {
	q, err := renderEventQuery(t, p)
	if err != nil {
		return nil, 0, err
	}
	return env.Events.Events.FindEvents(ctx, weir.EventFilter{ApplicationID: env.ApplicationID, Query: q, ListOptions: opts})
}
