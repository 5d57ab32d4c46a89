package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	fields := append([]engine.Field{}, dataQueryFields...)
	fields = append(fields,
		engine.Field{Name: "duration", Kind: "template", Default: "3600000", Doc: "How far back from end, in ms; blank or not a number: one hour."},
		engine.Field{Name: "resolution", Kind: "template", Doc: "Bucket size in ms, buckets aligned to the Unix epoch; blank: the smallest of 1 s, 1 min, 5 min, 15 min, 1 h and 1 d giving at most 1000 buckets. At most 10 000 buckets."},
		engine.Field{Name: "orderTemplate", Kind: "template", Default: "asc", Doc: "asc (oldest first) or desc."},
		engine.Field{Name: "limitTemplate", Kind: "template", Default: "1000", Doc: "NONE: the reports per device, 1 to 25 000."},
		engine.Field{Name: "resultPath", Kind: "path", Required: true,
			Doc: "Where the series goes: [{time, value}] oldest first, one point per bucket holding data (with several attributes, {attribute: [{time, value}]}); " +
				"with perDeviceResults, that keyed by device id; with aggregation NONE, Losant's timeSeriesData " +
				"{start, end, aggregation, limit, order, devices: {id: {name, tags, points: [{time, data}]}}}."},
	)
	engine.Register(engine.Spec{
		Type:     "TimeSeriesNode",
		Name:     "time-series",
		Category: "data",
		Summary:  "Queries the history of device attributes over a time range, aggregated per resolution bucket, and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields:   fields,
	}, buildTimeSeries)
}

type timeSeries struct {
	*dataQuery
	resolution, order, limit *template.Template
}

func buildTimeSeries(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		dataQueryConfig
		Resolution    engine.Text `json:"resolution"`
		OrderTemplate engine.Text `json:"orderTemplate"`
		LimitTemplate engine.Text `json:"limitTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	q, err := compileDataQuery(cfg.dataQueryConfig, weir.AggregationMean)
	if err != nil {
		return nil, err
	}
	n := &timeSeries{dataQuery: q}
	for _, f := range []struct {
		name string
		text engine.Text
		dst  **template.Template
	}{{"resolution", cfg.Resolution, &n.resolution}, {"orderTemplate", cfg.OrderTemplate, &n.order}, {"limitTemplate", cfg.LimitTemplate, &n.limit}} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.text)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec runs the query and writes the series at resultPath.
func (n *timeSeries) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, func(r dataRequest) (any, error) { return n.query(ctx, env, p, r) })
}

func (n *timeSeries) query(ctx context.Context, env *engine.Env, p engine.Payload, r dataRequest) (any, error) {
	attrs, sel, tp := r.attrs, r.sel, r.params
	if v, ok, err := renderMillis(n.resolution, p); err != nil {
		return nil, weir.Errorf(weir.Validation, "resolution: %v", err)
	} else if ok && v > 0 {
		tp.Resolution = &v
	}
	if v, ok, err := renderMillis(n.limit, p); err != nil {
		return nil, weir.Errorf(weir.Validation, "limitTemplate: %v", err)
	} else if ok {
		tp.Limit = &v
	}
	order, err := n.order.Render(p)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "orderTemplate: %v", err)
	}
	tp.Order = strings.ToLower(strings.TrimSpace(order))
	q := &weir.TimeSeriesQuery{ApplicationID: env.ApplicationID, Devices: sel, Attributes: attrs}
	if err := weir.NewTimeSeriesQuery(q, tp, env.Now()); err != nil {
		return nil, err
	}
	none := q.Aggregation == weir.AggregationNone
	q.Combined = !n.perDevice && !none
	res, err := env.Devices.Data.QueryTimeSeries(ctx, q)
	if err != nil {
		return nil, err
	}
	if none {
		return noneValue(q, res), nil
	}
	if q.Combined {
		return seriesValue(res.Combined, attrs), nil
	}
	out := make(map[string]any, len(res.Devices))
	for id, d := range res.Devices {
		out[id] = seriesValue(d.Points, attrs)
	}
	return out, nil
}

// seriesValue is points as the node writes them: [{time, value}] for one
// attribute, {attribute: [{time, value}]} for several.
func seriesValue(points []weir.TimeSeriesPoint, attrs []string) any {
	by := make(map[string]any, len(attrs))
	for _, a := range attrs {
		list := []any{}
		for _, pt := range points {
			if v, ok := pt.Data[a]; ok {
				list = append(list, map[string]any{"time": pt.Time, "value": v})
			}
		}
		if len(attrs) == 1 {
			return list
		}
		by[a] = list
	}
	return by
}

// noneValue is a NONE answer as the node writes it: Losant's
// timeSeriesData.
func noneValue(q *weir.TimeSeriesQuery, res *weir.TimeSeriesResult) map[string]any {
	devices := make(map[string]any, len(res.Devices))
	for id, d := range res.Devices {
		tags := map[string]any{}
		for k, vs := range d.Tags {
			list := make([]any, len(vs))
			for i, v := range vs {
				list[i] = v
			}
			tags[k] = list
		}
		points := make([]any, 0, len(d.Points))
		for _, pt := range d.Points {
			points = append(points, map[string]any{"time": pt.Time, "data": pt.Data})
		}
		devices[id] = map[string]any{"name": d.Name, "tags": tags, "points": points}
	}
	order := "asc"
	if q.Descending {
		order = "desc"
	}
	return map[string]any{"start": q.Start, "end": q.End, "aggregation": q.Aggregation, "limit": float64(q.Limit),
		"resolution": nil, "order": order, "devices": devices}
}
