package nodes_test

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/weirhq/weir"
)

// pick returns the devices of the application sel picks, as the stores do:
// the query's matches, or those with one of the ids or a matching tag, or
// every device when nothing is given.
func (m *memDevices) pick(appID string, sel weir.DeviceSelection) []*weir.Device {
	var out []*weir.Device
	for _, d := range m.devices {
		if d.ApplicationID != appID || sel.Only != "" && d.ID != sel.Only {
			continue
		}
		ok := sel.IDs == nil && len(sel.Tags) == 0
		switch {
		case sel.Query != nil:
			ok = sel.Query.Match(d)
		default:
			ok = ok || slices.Contains(sel.IDs, d.ID)
			for _, t := range sel.Tags {
				ok = ok || d.HasTag(t.Key, t.Value)
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// sortedStates returns the device's reports oldest first.
func (m *memDevices) sortedStates(id string) []weir.DeviceState {
	states := slices.Clone(m.states[id])
	slices.SortStableFunc(states, func(a, b weir.DeviceState) int { return a.Time.Compare(b.Time) })
	return states
}

// QueryTimeSeries folds the picked devices' reports with weir.SeriesFold,
// as the SQL stores do.
func (m *memDevices) QueryTimeSeries(_ context.Context, q *weir.TimeSeriesQuery) (*weir.TimeSeriesResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &weir.TimeSeriesResult{}
	combined := weir.NewSeriesFold(q)
	if !q.Combined {
		out.Devices = map[string]*weir.DeviceSeries{}
	}
	for _, d := range m.pick(q.ApplicationID, q.Devices) {
		f := combined
		if !q.Combined {
			f = weir.NewSeriesFold(q)
		}
		states := m.sortedStates(d.ID)
		held := map[string]any{}
		for _, st := range states {
			if st.Time.Before(q.Start) {
				maps.Copy(held, st.Data)
			}
		}
		f.Seed(d.ID, held)
		if q.Aggregation == weir.AggregationNone && q.Descending {
			slices.Reverse(states)
		}
		for _, st := range states {
			f.Add(d.ID, st.Time, st.Data)
		}
		if !q.Combined {
			out.Devices[d.ID] = &weir.DeviceSeries{Name: d.Name, Tags: d.TagsObject(), Points: f.Points(q.End)}
		}
	}
	if q.Combined {
		out.Combined = combined.Points(q.End)
	}
	return out, nil
}

// QueryLastValues returns each picked device's latest report of the
// attribute at or before q.End (zero: any).
func (m *memDevices) QueryLastValues(_ context.Context, q *weir.LastValueQuery) (map[string]weir.DeviceState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]weir.DeviceState{}
	for _, d := range m.pick(q.ApplicationID, q.Devices) {
		var last weir.DeviceState
		for _, st := range m.sortedStates(d.ID) {
			v, ok := st.Data[q.Attribute]
			if ok && (q.End.IsZero() || !st.Time.After(q.End)) {
				last = weir.DeviceState{DeviceID: d.ID, Time: st.Time, Data: map[string]any{q.Attribute: v}}
			}
		}
		if !last.Time.Equal(time.Time{}) {
			out[d.ID] = last
		}
	}
	return out, nil
}
