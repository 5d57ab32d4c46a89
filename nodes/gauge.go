package nodes

import (
	"context"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

func init() {
	fields := append([]engine.Field{}, dataQueryFields...)
	fields = append(fields, engine.Field{Name: "duration", Kind: "template",
		Doc: "How far back from end, in ms, to aggregate over; blank, 0 or not a number: each device's last reported value (then aggregation, default LAST, combines the devices' values)."},
		engine.Field{Name: "resultPath", Kind: "path", Required: true,
			Doc: "Where {time, value} goes: time is the end of the range, or the latest report's time for a last value. " +
				"With several attributes, {attribute: {time, value}}; with perDeviceResults, that keyed by device id. An attribute without data gives {}."})
	engine.Register(engine.Spec{
		Type:     "GaugeNode",
		Name:     "gauge",
		Category: "data",
		Summary:  "Aggregates an attribute of devices over a time range, or takes its last value, and puts {time, value} on the payload.",
		Outputs:  []string{"next"},
		Fields:   fields,
	}, buildGauge)
}

type gauge struct{ *dataQuery }

func buildGauge(c *engine.NodeConfig) (engine.Node, error) {
	var cfg dataQueryConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	q, err := compileDataQuery(cfg, "")
	if err != nil {
		return nil, err
	}
	return &gauge{q}, nil
}

// Exec runs the query and writes the gauge value at resultPath.
func (n *gauge) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	return n.exec(ctx, env, p, func(r dataRequest) (any, error) { return n.query(ctx, env, r) })
}

func (n *gauge) query(ctx context.Context, env *engine.Env, r dataRequest) (any, error) {
	attrs, sel, tp := r.attrs, r.sel, r.params
	var err error
	if tp.Aggregation == weir.AggregationNone {
		return nil, weir.Errorf(weir.Validation, "aggregation NONE is not a gauge aggregation")
	}
	var byDevice map[string]map[string]gaugePoint
	if tp.Duration == nil {
		byDevice, err = n.lastValues(ctx, env, sel, attrs, tp)
	} else {
		byDevice, err = n.aggregate(ctx, env, sel, attrs, tp)
	}
	if err != nil {
		return nil, err
	}
	if n.perDevice {
		out := make(map[string]any, len(byDevice))
		for id, vals := range byDevice {
			out[id] = gaugeValue(vals, attrs)
		}
		return out, nil
	}
	return gaugeValue(byDevice[""], attrs), nil
}

// gaugePoint is one attribute's gauge value and its time.
type gaugePoint struct {
	time  time.Time
	value any
}

// gaugeValue is vals as the node writes them: {time, value} for one
// attribute ({} without data), {attribute: {time, value}} for several.
func gaugeValue(vals map[string]gaugePoint, attrs []string) any {
	out := make(map[string]any, len(attrs))
	for _, a := range attrs {
		v := map[string]any{}
		if g, ok := vals[a]; ok {
			v = map[string]any{"time": g.time, "value": g.value}
		}
		if len(attrs) == 1 {
			return v
		}
		out[a] = v
	}
	return out
}

// aggregate folds each attribute over the whole range into one bucket,
// per device with perDeviceResults, else across them (key "").
func (n *gauge) aggregate(ctx context.Context, env *engine.Env, sel weir.DeviceSelection, attrs []string,
	tp weir.TimeSeriesParams) (map[string]map[string]gaugePoint, error) {
	if tp.Aggregation == "" {
		tp.Aggregation = weir.AggregationMean
	}
	tp.Resolution = tp.Duration
	q := &weir.TimeSeriesQuery{ApplicationID: env.ApplicationID, Devices: sel, Attributes: attrs}
	if err := weir.NewTimeSeriesQuery(q, tp, env.Now()); err != nil {
		return nil, err
	}
	q.Resolution, q.FromStart, q.Combined = q.End.Sub(q.Start), true, !n.perDevice
	res, err := env.Devices.Data.QueryTimeSeries(ctx, q)
	if err != nil {
		return nil, err
	}
	one := func(points []weir.TimeSeriesPoint) map[string]gaugePoint {
		out := map[string]gaugePoint{}
		for _, pt := range points {
			for a, v := range pt.Data {
				out[a] = gaugePoint{time: q.End, value: v}
			}
		}
		return out
	}
	if q.Combined {
		return map[string]map[string]gaugePoint{"": one(res.Combined)}, nil
	}
	out := make(map[string]map[string]gaugePoint, len(res.Devices))
	for id, d := range res.Devices {
		out[id] = one(d.Points)
	}
	return out, nil
}

// lastValues takes each device's last value of each attribute at or
// before end; across devices, the aggregation (default LAST) combines
// them, dated at the latest of them.
func (n *gauge) lastValues(ctx context.Context, env *engine.Env, sel weir.DeviceSelection, attrs []string,
	tp weir.TimeSeriesParams) (map[string]map[string]gaugePoint, error) {
	var end time.Time
	if tp.End != nil && *tp.End != 0 {
		end = weir.DataTime(*tp.End, env.Now())
	}
	agg := tp.Aggregation
	if agg == "" {
		agg = weir.AggregationLast
	}
	out := map[string]map[string]gaugePoint{}
	for _, a := range attrs {
		vals, err := env.Devices.Data.QueryLastValues(ctx, &weir.LastValueQuery{ApplicationID: env.ApplicationID,
			Devices: sel, Attribute: a, End: end})
		if err != nil {
			return nil, err
		}
		if n.perDevice {
			for id, st := range vals {
				if out[id] == nil {
					out[id] = map[string]gaugePoint{}
				}
				out[id][a] = gaugePoint{time: st.Time, value: st.Data[a]}
			}
			continue
		}
		if g, ok := combineLast(vals, a, agg, tp.Value); ok {
			if out[""] == nil {
				out[""] = map[string]gaugePoint{}
			}
			out[""][a] = g
		}
	}
	return out, nil
}

// combineLast aggregates the devices' last values of attribute a with agg
// (one bucket spanning them), dated at the latest.
func combineLast(vals map[string]weir.DeviceState, a, agg string, value any) (gaugePoint, bool) {
	if len(vals) == 0 {
		return gaugePoint{}, false
	}
	var first, last time.Time
	for _, st := range vals {
		if first.IsZero() || st.Time.Before(first) {
			first = st.Time
		}
		if st.Time.After(last) {
			last = st.Time
		}
	}
	q := &weir.TimeSeriesQuery{Start: first, End: last.Add(time.Millisecond), Resolution: last.Sub(first) + time.Millisecond,
		Aggregation: agg, Value: value, FromStart: true, Combined: true}
	f := weir.NewSeriesFold(q)
	for id, st := range vals {
		f.Add(id, st.Time, st.Data)
	}
	for _, pt := range f.Points(last) {
		if v, ok := pt.Data[a]; ok {
			return gaugePoint{time: last, value: v}, true
		}
	}
	return gaugePoint{}, false
}
