package weir_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// tsAt is 2026-01-01 00:00:00 UTC plus ms.
func tsAt(ms int64) time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
}

func tsPtr[T any](v T) *T { return &v }

// mustQuery builds a query over [tsAt(0), tsAt(10 min)) with 5-minute buckets.
func mustQuery(t *testing.T, agg string, value any) *weir.TimeSeriesQuery {
	t.Helper()
	q := &weir.TimeSeriesQuery{Attributes: []string{"v"}}
	err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{
		End: tsPtr(tsAt(600_000).UnixMilli()), Duration: tsPtr(int64(600_000)), Resolution: tsPtr(int64(300_000)),
		Aggregation: agg, Value: value}, tsAt(700_000))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestSeriesFold_Aggregations(t *testing.T) {
	// Bucket 0 (00:00): 4, 1, 3, 2 and a string; bucket 1 (00:05): 10.
	reports := []struct {
		ms int64
		v  any
	}{{0, 4.0}, {60_000, 1.0}, {120_000, "x"}, {180_000, 3.0}, {240_000, 2.0}, {300_000, 10.0}}
	for _, tc := range []struct {
		agg  string
		want []any
	}{
		{weir.AggregationFirst, []any{4.0, 10.0}},
		{weir.AggregationLast, []any{2.0, 10.0}},
		{weir.AggregationCount, []any{5.0, 1.0}},
		{weir.AggregationMax, []any{4.0, 10.0}},
		{weir.AggregationMin, []any{1.0, 10.0}},
		{weir.AggregationSum, []any{10.0, 10.0}},
		{weir.AggregationMean, []any{2.5, 10.0}},
		{weir.AggregationMedian, []any{2.5, 10.0}},
		{weir.AggregationStdDev, []any{math.Sqrt(5.0 / 3)}},
	} {
		t.Run(tc.agg, func(t *testing.T) {
			f := weir.NewSeriesFold(mustQuery(t, tc.agg, nil))
			for _, r := range reports {
				f.Add("d", tsAt(r.ms), map[string]any{"v": r.v, "other": 1.0})
			}
			var got []any
			for _, p := range f.Points(tsAt(700_000)) {
				got = append(got, p.Data["v"])
				if _, ok := p.Data["other"]; ok {
					t.Errorf("point has an attribute not asked for: %v", p.Data)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeriesFold_BucketsAlignedToEpoch(t *testing.T) {
	q := &weir.TimeSeriesQuery{}
	// 00:02 to 00:12 with 5-minute buckets: 00:00, 00:05 and 00:10.
	if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{Start: tsPtr(tsAt(120_000).UnixMilli()),
		End: tsPtr(tsAt(720_000).UnixMilli()), Resolution: tsPtr(int64(300_000)), Aggregation: "COUNT"}, tsAt(800_000)); err != nil {
		t.Fatal(err)
	}
	f := weir.NewSeriesFold(q)
	for _, ms := range []int64{60_000, 130_000, 310_000, 719_999, 720_000} {
		f.Add("d", tsAt(ms), map[string]any{"v": 1.0})
	}
	want := []weir.TimeSeriesPoint{
		{Time: tsAt(0), Data: map[string]any{"v": 1.0}},
		{Time: tsAt(300_000), Data: map[string]any{"v": 1.0}},
		{Time: tsAt(600_000), Data: map[string]any{"v": 1.0}},
	}
	if diff := cmp.Diff(want, f.Points(tsAt(800_000))); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
}

func TestSeriesFold_TimeAtValue(t *testing.T) {
	f := weir.NewSeriesFold(mustQuery(t, weir.AggregationTimeAtValue, true))
	// on at 00:01, off at 00:07, on again at 00:09 until the end (00:10).
	f.Add("d", tsAt(60_000), map[string]any{"v": true})
	f.Add("d", tsAt(420_000), map[string]any{"v": false})
	f.Add("d", tsAt(540_000), map[string]any{"v": true})
	want := []weir.TimeSeriesPoint{
		{Time: tsAt(0), Data: map[string]any{"v": 240_000.0}},
		{Time: tsAt(300_000), Data: map[string]any{"v": 180_000.0}},
	}
	if diff := cmp.Diff(want, f.Points(tsAt(700_000))); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
}

func TestSeriesFold_NoneLimitAndOrder(t *testing.T) {
	q := &weir.TimeSeriesQuery{}
	if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{End: tsPtr(tsAt(600_000).UnixMilli()),
		Aggregation: "NONE", Limit: tsPtr(int64(2)), Order: "desc"}, tsAt(700_000)); err != nil {
		t.Fatal(err)
	}
	f := weir.NewSeriesFold(q)
	for _, ms := range []int64{500_000, 400_000, 300_000} {
		f.Add("d", tsAt(ms), map[string]any{"v": float64(ms)})
	}
	if !f.Full() {
		t.Error("Full() = false after limit reports")
	}
	want := []weir.TimeSeriesPoint{
		{Time: tsAt(500_000), Data: map[string]any{"v": 500_000.0}},
		{Time: tsAt(400_000), Data: map[string]any{"v": 400_000.0}},
	}
	if diff := cmp.Diff(want, f.Points(tsAt(700_000))); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
}

func TestNewTimeSeriesQuery_Errors(t *testing.T) {
	now := tsAt(0)
	for name, p := range map[string]weir.TimeSeriesParams{
		"ErrAggregation":    {Aggregation: "AVG"},
		"ErrOrder":          {Order: "up"},
		"ErrDuration":       {Duration: tsPtr(int64(-5))},
		"ErrTooLong":        {Duration: tsPtr(int64(400 * 24 * 3600 * 1000))},
		"ErrStartAfterEnd":  {Start: tsPtr(int64(-1000)), End: tsPtr(int64(-2000))},
		"ErrTooManyBuckets": {Duration: tsPtr(int64(86_400_000)), Resolution: tsPtr(int64(1000))},
		"ErrLimit":          {Aggregation: "NONE", Limit: tsPtr(int64(25_001))},
		"ErrTimeAtValue":    {Aggregation: "TIMEATVALUE"},
	} {
		t.Run(name, func(t *testing.T) {
			err := weir.NewTimeSeriesQuery(&weir.TimeSeriesQuery{}, p, now)
			if weir.ErrorTypeOf(err) != weir.Validation {
				t.Fatalf("err = %v, want Validation", err)
			}
		})
	}
	t.Run("OK_Defaults", func(t *testing.T) {
		q := &weir.TimeSeriesQuery{}
		if err := weir.NewTimeSeriesQuery(q, weir.TimeSeriesParams{End: tsPtr(int64(-60_000))}, now); err != nil {
			t.Fatal(err)
		}
		if !q.End.Equal(now.Add(-time.Minute)) || q.End.Sub(q.Start) != time.Hour || q.Resolution != 5*time.Second*12 || q.Aggregation != "MEAN" {
			t.Errorf("query = %+v", q)
		}
	})
}

func TestSeriesFold_TimeAtValueSeeded(t *testing.T) {
	f := weir.NewSeriesFold(mustQuery(t, weir.AggregationTimeAtValue, "true"))
	f.Seed("d", map[string]any{"v": true, "other": true}) // on since before the range
	f.Add("d", tsAt(60_000), map[string]any{"v": true})
	f.Add("d", tsAt(420_000), map[string]any{"v": false})
	f.Add("d", tsAt(540_000), map[string]any{"v": true})
	want := []weir.TimeSeriesPoint{
		{Time: tsAt(0), Data: map[string]any{"v": 300_000.0}},
		{Time: tsAt(300_000), Data: map[string]any{"v": 180_000.0}},
	}
	if diff := cmp.Diff(want, f.Points(tsAt(700_000))); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
}
