package http_test

import (
	"context"

	"github.com/weirhq/weir"
)

// QueryTimeSeries answers with an empty series for each device of the
// application the ids pick (the authorization matrix needs only the shape).
func (m *memDevices) QueryTimeSeries(_ context.Context, q *weir.TimeSeriesQuery) (*weir.TimeSeriesResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &weir.TimeSeriesResult{Devices: map[string]*weir.DeviceSeries{}}
	for _, id := range q.Devices.IDs {
		if d, ok := m.Devices[id]; ok && d.ApplicationID == q.ApplicationID && (q.Devices.Only == "" || q.Devices.Only == id) {
			out.Devices[id] = &weir.DeviceSeries{Name: d.Name, Tags: d.TagsObject(), Points: []weir.TimeSeriesPoint{}}
		}
	}
	return out, nil
}

// QueryLastValues answers with no values.
func (m *memDevices) QueryLastValues(context.Context, *weir.LastValueQuery) (map[string]weir.DeviceState, error) {
	return map[string]weir.DeviceState{}, nil
}
