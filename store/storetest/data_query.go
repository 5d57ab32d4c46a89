package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// DataStore is a device store that also answers data queries.
type DataStore interface {
	DeviceStore
	weir.DataService
}

// RunDataQueries runs the data query suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
//
// Besides DataService's contract, the suite pins down: devices are picked
// by id, by any of the tags, or by an advanced query, never across
// applications; buckets are aligned to the Unix epoch and empty ones have
// no point; the combined series folds every device's reports together; a
// last value at an end time comes from the history, without it from the
// latest values.
func RunDataQueries(t *testing.T, open func(t *testing.T) DataStore) {
	t.Run("TimeSeriesOK", func(t *testing.T) { testTimeSeries(t, open) })
	t.Run("TimeSeriesNoneOK", func(t *testing.T) { testTimeSeriesNone(t, open) })
	t.Run("TimeAtValueOK", func(t *testing.T) { testTimeAtValue(t, open) })
	t.Run("Selection", func(t *testing.T) { testDataSelection(t, open) })
	t.Run("LastValueOK", func(t *testing.T) { testLastValues(t, open) })
}

// dataFixture is an application with two devices tagged floor=1 and
// floor=2 and a third device in another application, each with reports of
// temp at minutes 0, 1, 6 and 7 before the last whole 5 minutes.
type dataFixture struct {
	app      *weir.Application
	a, b, c  *weir.Device
	base     time.Time // a 5-minute boundary 10 to 15 minutes ago
	s        DataStore
	minuteAt func(m int) time.Time
}

func newDataFixture(t *testing.T, open func(t *testing.T) DataStore) *dataFixture {
	t.Helper()
	s := open(t)
	f := &dataFixture{s: s}
	f.base = time.Now().UTC().Add(-10 * time.Minute).Truncate(5 * time.Minute)
	f.minuteAt = func(m int) time.Time { return f.base.Add(time.Duration(m) * time.Minute) }
	f.app = mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	f.a = mustCreateDevice(t, s, deviceOf(f.app.ID, "a", weir.DeviceTag{Key: "floor", Value: "1"}))
	f.b = mustCreateDevice(t, s, deviceOf(f.app.ID, "b", weir.DeviceTag{Key: "floor", Value: "2"}))
	f.c = mustCreateDevice(t, s, deviceOf(other.ID, "c", weir.DeviceTag{Key: "floor", Value: "1"}))
	for i, d := range []*weir.Device{f.a, f.b, f.c} {
		for _, m := range []int{0, 1, 6, 7} {
			mustAddStates(t, s, d, weir.DeviceState{Time: f.minuteAt(m),
				Data: map[string]any{"temp": float64(10*i + m), "label": "x"}})
		}
	}
	return f
}

// query builds a query over [base, base+10 min) with 5-minute buckets.
func (f *dataFixture) query(t *testing.T, sel weir.DeviceSelection, agg string) *weir.TimeSeriesQuery {
	t.Helper()
	q := &weir.TimeSeriesQuery{ApplicationID: f.app.ID, Devices: sel, Attributes: []string{"temp"}}
	start, end, res := f.base.UnixMilli(), f.minuteAt(10).UnixMilli(), int64(300_000)
	if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{Start: &start, End: &end, Resolution: &res, Aggregation: agg},
		time.Now()); err != nil {
		t.Fatal(err)
	}
	return q
}

func testTimeSeries(t *testing.T, open func(t *testing.T) DataStore) {
	f := newDataFixture(t, open)
	got, err := f.s.QueryTimeSeries(t.Context(), f.query(t, weir.DeviceSelection{IDs: []string{f.a.ID, f.b.ID}}, "MEAN"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*weir.DeviceSeries{
		f.a.ID: {Name: "a", Tags: map[string][]string{"floor": {"1"}}, Points: []weir.TimeSeriesPoint{
			{Time: f.minuteAt(0), Data: map[string]any{"temp": 0.5}},
			{Time: f.minuteAt(5), Data: map[string]any{"temp": 6.5}},
		}},
		f.b.ID: {Name: "b", Tags: map[string][]string{"floor": {"2"}}, Points: []weir.TimeSeriesPoint{
			{Time: f.minuteAt(0), Data: map[string]any{"temp": 10.5}},
			{Time: f.minuteAt(5), Data: map[string]any{"temp": 16.5}},
		}},
	}
	checkDiff(t, "per-device series", got.Devices, want)

	q := f.query(t, weir.DeviceSelection{}, "MAX")
	q.Combined = true
	got, err = f.s.QueryTimeSeries(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "combined series", got.Combined, []weir.TimeSeriesPoint{
		{Time: f.minuteAt(0), Data: map[string]any{"temp": 11.0}},
		{Time: f.minuteAt(5), Data: map[string]any{"temp": 17.0}},
	})
	if got.Devices != nil {
		t.Errorf("combined answer has per-device series: %v", got.Devices)
	}

	// A range with no report has no point.
	q = f.query(t, weir.DeviceSelection{IDs: []string{f.a.ID}}, "COUNT")
	q.Start, q.End = f.minuteAt(2), f.minuteAt(5)
	got, err = f.s.QueryTimeSeries(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "empty range", got.Devices[f.a.ID].Points, []weir.TimeSeriesPoint{})
}

func testTimeSeriesNone(t *testing.T, open func(t *testing.T) DataStore) {
	f := newDataFixture(t, open)
	q := f.query(t, weir.DeviceSelection{IDs: []string{f.a.ID}}, "NONE")
	q.Limit, q.Descending = 3, true
	got, err := f.s.QueryTimeSeries(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "raw points", got.Devices[f.a.ID].Points, []weir.TimeSeriesPoint{
		{Time: f.minuteAt(7), Data: map[string]any{"temp": 7.0}},
		{Time: f.minuteAt(6), Data: map[string]any{"temp": 6.0}},
		{Time: f.minuteAt(1), Data: map[string]any{"temp": 1.0}},
	})
}

// testTimeAtValue checks that the value a device held when the range
// began counts from its start.
func testTimeAtValue(t *testing.T, open func(t *testing.T) DataStore) {
	f := newDataFixture(t, open)
	q := f.query(t, weir.DeviceSelection{IDs: []string{f.a.ID}}, "")
	q.Aggregation, q.Value, q.Start = weir.AggregationTimeAtValue, 1.0, f.minuteAt(2)
	got, err := f.s.QueryTimeSeries(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	// temp is 1 from minute 1 to minute 6: 3 minutes in the first bucket
	// (from the range's start), 1 in the second.
	checkDiff(t, "time at 1", got.Devices[f.a.ID].Points, []weir.TimeSeriesPoint{
		{Time: f.minuteAt(0), Data: map[string]any{"temp": 180_000.0}},
		{Time: f.minuteAt(5), Data: map[string]any{"temp": 60_000.0}},
	})
}

func testDataSelection(t *testing.T, open func(t *testing.T) DataStore) {
	f := newDataFixture(t, open)
	ids := func(sel weir.DeviceSelection) []string {
		t.Helper()
		got, err := f.s.QueryTimeSeries(t.Context(), f.query(t, sel, "COUNT"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range []*weir.Device{f.a, f.b, f.c} {
			if got.Devices[d.ID] != nil {
				out = append(out, d.Name)
			}
		}
		return out
	}
	t.Run("ByTagOK", func(t *testing.T) {
		checkDiff(t, "devices", ids(weir.DeviceSelection{Tags: []weir.TagFilter{{Key: "floor", Value: "1"}}}), []string{"a"})
	})
	t.Run("IDsOrTagsOK", func(t *testing.T) {
		checkDiff(t, "devices", ids(weir.DeviceSelection{IDs: []string{f.a.ID, f.c.ID},
			Tags: []weir.TagFilter{{Value: "2"}}}), []string{"a", "b"})
	})
	t.Run("ByQueryOK", func(t *testing.T) {
		q := mustDeviceQuery(t, map[string]any{"name": map[string]any{"$in": []any{"b", "c"}}})
		checkDiff(t, "devices", ids(weir.DeviceSelection{Query: q}), []string{"b"})
	})
	t.Run("AllOK", func(t *testing.T) {
		checkDiff(t, "devices", ids(weir.DeviceSelection{}), []string{"a", "b"})
	})
	t.Run("NoneOK", func(t *testing.T) {
		checkDiff(t, "devices", ids(weir.DeviceSelection{IDs: []string{}}), []string(nil))
	})
	t.Run("OnlyOK", func(t *testing.T) {
		checkDiff(t, "devices", ids(weir.DeviceSelection{Only: f.b.ID}), []string{"b"})
	})
	t.Run("ErrTooManyDevices", func(t *testing.T) {
		for i := range weir.MaxDataDevices - 1 {
			mustCreateDevice(t, f.s, deviceOf(f.app.ID, fmt.Sprintf("n%04d", i)))
		}
		_, err := f.s.QueryTimeSeries(t.Context(), f.query(t, weir.DeviceSelection{}, "COUNT"))
		checkError(t, err, weir.Validation, "the query selects more than 1000 devices; narrow it")
		_, err = f.s.QueryLastValues(t.Context(), &weir.LastValueQuery{ApplicationID: f.app.ID, Attribute: "temp"})
		checkError(t, err, weir.Validation, "the query selects more than 1000 devices; narrow it")
	})
}

func testLastValues(t *testing.T, open func(t *testing.T) DataStore) {
	f := newDataFixture(t, open)
	mustAddStates(t, f.s, f.b, weir.DeviceState{Time: f.minuteAt(8), Data: map[string]any{"label": "y"}})
	got, err := f.s.QueryLastValues(t.Context(), &weir.LastValueQuery{ApplicationID: f.app.ID, Attribute: "temp",
		Devices: weir.DeviceSelection{Tags: []weir.TagFilter{{Key: "floor"}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "latest", got, map[string]weir.DeviceState{
		f.a.ID: {DeviceID: f.a.ID, Time: f.minuteAt(7), Data: map[string]any{"temp": 7.0}},
		f.b.ID: {DeviceID: f.b.ID, Time: f.minuteAt(7), Data: map[string]any{"temp": 17.0}},
	})
	got, err = f.s.QueryLastValues(t.Context(), &weir.LastValueQuery{ApplicationID: f.app.ID, Attribute: "temp",
		Devices: weir.DeviceSelection{IDs: []string{f.a.ID}}, End: f.minuteAt(5)})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "at end", got, map[string]weir.DeviceState{
		f.a.ID: {DeviceID: f.a.ID, Time: f.minuteAt(1), Data: map[string]any{"temp": 1.0}},
	})
	got, err = f.s.QueryLastValues(t.Context(), &weir.LastValueQuery{ApplicationID: f.app.ID, Attribute: "nothing"})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "never reported", got, map[string]weir.DeviceState{})
}

// BenchTimeSeries measures a MEAN query with hourly buckets over the
// states'th most recent reports of one device, reported every 10 s: the
// reports are written once, before the timer starts.
func BenchTimeSeries(b *testing.B, s DataStore, states int) {
	ctx := b.Context()
	a := &weir.Application{Name: "bench"}
	if err := s.CreateApplication(ctx, a); err != nil {
		b.Fatal(err)
	}
	d := deviceOf(a.ID, "bench")
	if err := s.CreateDevice(ctx, d); err != nil {
		b.Fatal(err)
	}
	end := time.Now().UTC().Truncate(time.Second)
	const every = 10 * time.Second
	for i := 0; i < states; {
		batch := make([]weir.DeviceState, 0, weir.MaxStateReports)
		for ; i < states && len(batch) < weir.MaxStateReports; i++ {
			batch = append(batch, weir.DeviceState{Time: end.Add(-time.Duration(i) * every),
				Data: map[string]any{"temp": float64(i % 100), "label": "x", "on": i%2 == 0}})
		}
		if _, _, err := s.AddDeviceStates(ctx, a.ID, d.ID, batch); err != nil {
			b.Fatal(err)
		}
	}
	span := time.Duration(states) * every
	start, stop, res := end.Add(-span).UnixMilli(), end.Add(time.Second).UnixMilli(), int64(time.Hour/time.Millisecond)
	q := &weir.TimeSeriesQuery{ApplicationID: a.ID, Devices: weir.DeviceSelection{IDs: []string{d.ID}}, Attributes: []string{"temp"}}
	if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{Start: &start, End: &stop, Resolution: &res, Aggregation: "MEAN"}, end); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		r, err := s.QueryTimeSeries(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(r.Devices[d.ID].Points); n < int(span/time.Hour) {
			b.Fatalf("%d points, want at least %d", n, int(span/time.Hour))
		}
	}
	b.ReportMetric(float64(states)*float64(b.N)/b.Elapsed().Seconds(), "states/s")
}
