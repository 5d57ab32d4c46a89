package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DeleteEventNode",
		Name:     "delete-event",
		Category: "output",
		Summary:  "Deletes an event of the application, or every event a query matches.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "eventIdTemplate", Kind: "template", Doc: "The event's id; when set, the query is ignored."},
			{Name: "queryTemplate", Kind: "jsonTemplate", Doc: "An advanced event query: every match is deleted. A query with no conditions ({} or {\"$or\": []}) deletes nothing."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put true (by id), {removed: n} (by query), or {error: {type, message}}."},
		},
	}, buildDeleteEvent)
}

type deleteEvent struct {
	id, query *template.Template
	result    path.Path
	hasResult bool
}

func buildDeleteEvent(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		EventIDTemplate engine.Text `json:"eventIdTemplate"`
		QueryTemplate   engine.Text `json:"queryTemplate"`
		ResultPath      string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &deleteEvent{}
	var err error
	if n.id, err = compileBlankable("eventIdTemplate", cfg.EventIDTemplate); err != nil {
		return nil, err
	}
	if n.id == nil {
		if n.query, err = engine.CompileTemplate("queryTemplate", string(cfg.QueryTemplate)); err != nil {
			return nil, err
		}
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec deletes the event (or events) and writes the outcome at resultPath.
func (n *deleteEvent) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needEvents(env); err != nil {
		return 0, err
	}
	if n.id != nil {
		e, err := findEventByTemplate(ctx, env, n.id, "eventIdTemplate", p)
		if err == nil {
			err = env.Events.Events.DeleteEvent(ctx, env.ApplicationID, e.ID)
		}
		return eventResult(p, n.result, n.hasResult, true, err)
	}
	q, err := renderEventQuery(n.query, p)
	if err != nil {
		return eventResult(p, n.result, n.hasResult, nil, err)
	}
	if q == nil || q.Empty() {
		// A query without conditions would delete every event; Losant's
		// exports hold {"$or": []} for "nothing chosen".
		return 0, setResult(p, n.result, n.hasResult, map[string]any{"removed": float64(0)})
	}
	removed, err := env.Events.Events.DeleteEvents(ctx, weir.EventFilter{ApplicationID: env.ApplicationID, Query: q})
	return eventResult(p, n.result, n.hasResult, map[string]any{"removed": float64(removed)}, err)
}
