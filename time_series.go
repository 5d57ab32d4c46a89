package weir

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// SeriesFold folds state reports into the points of one time series as a
// TimeSeriesQuery asks: each report lands in the bucket of Resolution
// (aligned to the Unix epoch, or to Start with FromStart) holding its time, and each bucket's values of
// each attribute are aggregated. FIRST, LAST and COUNT take any value; the
// numeric aggregations take numbers only. STD_DEV is the sample standard
// deviation (a bucket with one number has none); MEDIAN of an even count is
// the mean of the middle two. TIMEATVALUE counts, per bucket, the
// milliseconds an attribute held the query's value: a value holds from its
// report until the device's next report of the attribute, or the end of the
// range; the values held when the range began count from its start when
// the fold is seeded with them (Seed).
// NONE keeps the reports themselves, at most Limit per device. A fold is
// not safe for concurrent use.
type SeriesFold struct {
	q       *TimeSeriesQuery
	attrs   map[string]bool // nil: every attribute
	res     int64           // ms
	origin  int64           // ms: where buckets are aligned (0, or Start with FromStart)
	buckets map[int64]map[string]*bucketAcc
	raw     []TimeSeriesPoint
	held    map[string]map[string]heldValue // device -> attribute -> last value (TIMEATVALUE)
}

// heldValue is an attribute's latest value of one device and its time.
type heldValue struct {
	at    int64
	value any
}

// bucketAcc aggregates one attribute's values within one bucket.
type bucketAcc struct {
	n               int
	first, last     any
	firstAt, lastAt int64
	nums            []float64 // MEDIAN
	count           int       // numbers seen
	sum, min, max   float64
	mean, m2        float64 // Welford, for STD_DEV
	timeAtValue     int64
}

// NewSeriesFold returns an empty fold for q.
func NewSeriesFold(q *TimeSeriesQuery) *SeriesFold {
	f := &SeriesFold{q: q, res: q.Resolution.Milliseconds(), buckets: map[int64]map[string]*bucketAcc{}}
	if q.Attributes != nil {
		f.attrs = make(map[string]bool, len(q.Attributes))
		for _, a := range q.Attributes {
			f.attrs[a] = true
		}
	}
	if f.res <= 0 {
		f.res = 1
	}
	if q.FromStart {
		f.origin = q.Start.UnixMilli()
	}
	return f
}

// bucket is the index of the bucket holding ms.
func (f *SeriesFold) bucket(ms int64) int64 { return floorDiv(ms-f.origin, f.res) }

// Full reports whether a NONE fold holds Limit reports, so that a scan in
// the query's order may stop.
func (f *SeriesFold) Full() bool {
	return f.q.Aggregation == AggregationNone && !f.q.Combined && len(f.raw) >= f.q.Limit
}

// Add folds one report of device deviceID. Reports of one device must come
// in time order (ascending, or descending for a NONE query in descending
// order); a NONE fold of one device keeps the first Limit. Reports outside [Start, End) are ignored.
func (f *SeriesFold) Add(deviceID string, at time.Time, data map[string]any) {
	if at.Before(f.q.Start) || !at.Before(f.q.End) {
		return
	}
	if f.q.Aggregation == AggregationNone {
		if f.Full() {
			return
		}
		kept := map[string]any{}
		for name, v := range data {
			if f.attrs == nil || f.attrs[name] {
				kept[name] = v
			}
		}
		if len(kept) > 0 {
			f.raw = append(f.raw, TimeSeriesPoint{Time: at, Data: kept})
		}
		return
	}
	ms := at.UnixMilli()
	for name, v := range data {
		if f.attrs != nil && !f.attrs[name] {
			continue
		}
		if f.q.Aggregation == AggregationTimeAtValue {
			f.hold(deviceID, name, ms, v)
			continue
		}
		f.acc(f.bucket(ms), name).add(ms, v, f.q.Aggregation == AggregationMedian)
	}
}

// Seed gives a TIMEATVALUE fold the values device deviceID held when the
// range began (its latest values reported before Start), so that the time
// they held from Start on counts. Other folds ignore it.
func (f *SeriesFold) Seed(deviceID string, data map[string]any) {
	if f.q.Aggregation != AggregationTimeAtValue {
		return
	}
	for name, v := range data {
		if f.attrs == nil || f.attrs[name] {
			f.hold(deviceID, name, f.q.Start.UnixMilli(), v)
		}
	}
}

// acc returns the accumulator of attribute name in bucket b.
func (f *SeriesFold) acc(b int64, name string) *bucketAcc {
	m := f.buckets[b]
	if m == nil {
		m = map[string]*bucketAcc{}
		f.buckets[b] = m
	}
	a := m[name]
	if a == nil {
		a = &bucketAcc{}
		m[name] = a
	}
	return a
}

// hold records that the device's attribute took value v at ms, crediting
// the time its previous value held.
func (f *SeriesFold) hold(deviceID, name string, ms int64, v any) {
	if f.held == nil {
		f.held = map[string]map[string]heldValue{}
	}
	dev := f.held[deviceID]
	if dev == nil {
		dev = map[string]heldValue{}
		f.held[deviceID] = dev
	}
	if prev, ok := dev[name]; ok {
		f.credit(name, prev, ms)
	} else {
		f.acc(f.bucket(ms), name) // the attribute has a point from its first report on
	}
	dev[name] = heldValue{at: ms, value: v}
}

// credit adds to each bucket the part of [h.at, until) that falls in it,
// when h's value is the query's.
func (f *SeriesFold) credit(name string, h heldValue, until int64) {
	if !sameValue(h.value, f.q.Value) {
		return
	}
	for from := h.at; from < until; {
		b := f.bucket(from)
		to := min(f.origin+(b+1)*f.res, until)
		f.acc(b, name).timeAtValue += to - from
		from = to
	}
}

// sameValue compares values by their text, as templates render them: 1
// equals "1" and true equals "true".
func sameValue(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// add folds v, reported at ms; keep keeps the numbers for MEDIAN.
func (a *bucketAcc) add(ms int64, v any, keep bool) {
	if a.n == 0 || ms < a.firstAt {
		a.first, a.firstAt = v, ms
	}
	if a.n == 0 || ms >= a.lastAt {
		a.last, a.lastAt = v, ms
	}
	a.n++
	x, ok := v.(float64)
	if !ok {
		return
	}
	if a.count == 0 {
		a.min, a.max = x, x
	}
	a.count++
	a.sum += x
	a.min, a.max = math.Min(a.min, x), math.Max(a.max, x)
	d := x - a.mean
	a.mean += d / float64(a.count)
	a.m2 += d * (x - a.mean)
	if keep {
		a.nums = append(a.nums, x)
	}
}

// value is the bucket's aggregate under agg; ok is false when it has none.
func (a *bucketAcc) value(agg string) (any, bool) {
	switch agg {
	case AggregationFirst:
		return a.first, a.n > 0
	case AggregationLast:
		return a.last, a.n > 0
	case AggregationCount:
		return float64(a.n), a.n > 0
	case AggregationTimeAtValue:
		return float64(a.timeAtValue), true
	}
	if a.count == 0 {
		return nil, false
	}
	switch agg {
	case AggregationMax:
		return a.max, true
	case AggregationMin:
		return a.min, true
	case AggregationSum:
		return a.sum, true
	case AggregationMean:
		return a.sum / float64(a.count), true
	case AggregationStdDev:
		if a.count < 2 {
			return nil, false
		}
		return math.Sqrt(a.m2 / float64(a.count-1)), true
	case AggregationMedian:
		s := slices.Clone(a.nums)
		slices.Sort(s)
		m := len(s) / 2
		if len(s)%2 == 1 {
			return s[m], true
		}
		return (s[m-1] + s[m]) / 2, true
	}
	return nil, false
}

// Points returns the series: one point per bucket holding data, at the
// bucket's start (which may precede the query's start), in the query's order; for
// NONE, the reports kept.
func (f *SeriesFold) Points(now time.Time) []TimeSeriesPoint {
	if f.q.Aggregation == AggregationNone {
		out := append([]TimeSeriesPoint{}, f.raw...)
		slices.SortStableFunc(out, func(a, b TimeSeriesPoint) int {
			if f.q.Descending {
				return b.Time.Compare(a.Time)
			}
			return a.Time.Compare(b.Time)
		})
		if len(out) > f.q.Limit {
			out = out[:f.q.Limit]
		}
		return out
	}
	if f.q.Aggregation == AggregationTimeAtValue {
		until := min(f.q.End.UnixMilli(), now.UnixMilli())
		for _, dev := range f.held {
			for name, h := range dev {
				f.credit(name, h, until)
			}
		}
		f.held = nil
	}
	keys := make([]int64, 0, len(f.buckets))
	for b := range f.buckets {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	if f.q.Descending {
		slices.Reverse(keys)
	}
	out := make([]TimeSeriesPoint, 0, len(keys))
	for _, b := range keys {
		data := map[string]any{}
		for name, a := range f.buckets[b] {
			if v, ok := a.value(f.q.Aggregation); ok {
				data[name] = v
			}
		}
		if len(data) == 0 {
			continue
		}
		out = append(out, TimeSeriesPoint{Time: time.UnixMilli(f.origin + b*f.res).UTC(), Data: data})
	}
	return out
}
