package weir

import (
	"context"
	"time"
)

// Aggregations of a time-series query, as Losant names them. NONE returns
// the reports themselves; TIMEATVALUE is the time (ms) an attribute held a
// given value within each bucket.
const (
	AggregationFirst       = "FIRST"
	AggregationLast        = "LAST"
	AggregationCount       = "COUNT"
	AggregationMax         = "MAX"
	AggregationMin         = "MIN"
	AggregationMedian      = "MEDIAN"
	AggregationMean        = "MEAN"
	AggregationSum         = "SUM"
	AggregationStdDev      = "STD_DEV"
	AggregationNone        = "NONE"
	AggregationTimeAtValue = "TIMEATVALUE"
)

// Limits of data queries. A query over them is Validation and reads
// nothing.
const (
	// MaxDataDevices caps the devices one query selects (the schema's
	// maxItems of deviceIds).
	MaxDataDevices = 1000
	// MaxTimeSeriesDuration caps the time range of a time-series query.
	MaxTimeSeriesDuration = 366 * 24 * time.Hour
	// MaxTimeSeriesBuckets caps the buckets (duration / resolution) of an
	// aggregated query.
	MaxTimeSeriesBuckets = 10_000
	// MaxDataScan caps the state reports one query reads, across its
	// devices: the aggregation is computed over them in memory.
	MaxDataScan = 1_000_000
	// DefaultTimeSeriesDuration is the time range when neither start nor
	// duration is given.
	DefaultTimeSeriesDuration = time.Hour
	// DefaultTimeSeriesLimit is how many reports per device a NONE query
	// returns unless told.
	DefaultTimeSeriesLimit = 1000
	// MaxTimeSeriesLimit caps the limit of a NONE query.
	MaxTimeSeriesLimit = 25_000
)

// DeviceSelection picks the devices a data query reads: with Query, the
// devices matching it; otherwise those with one of IDs or carrying a tag
// matching one of Tags; with IDs nil and no Tags, every device of the
// application (an empty, non-nil IDs picks none).
// Only, when set, keeps that device alone of those picked (a device token
// reads only its own data).
type DeviceSelection struct {
	IDs   []string
	Tags  []TagFilter
	Query *DeviceQuery
	Only  string
}

// TimeSeriesQuery asks for the history of attributes of devices within
// [Start, End), bucketed by Resolution from the Unix epoch and aggregated,
// or the reports themselves with AggregationNone. Build it with
// NewTimeSeriesQuery, which validates and bounds it.
type TimeSeriesQuery struct {
	ApplicationID string
	Devices       DeviceSelection
	Attributes    []string // nil: every attribute
	Start, End    time.Time
	Resolution    time.Duration // ignored by NONE
	Aggregation   string
	Value         any  // TIMEATVALUE's value
	Limit         int  // NONE: reports per device
	Descending    bool // points newest first
	// Combined folds the reports of all devices into one series, as the
	// Time Series node does without perDeviceResults.
	Combined bool
	// FromStart aligns the buckets on Start instead of the Unix epoch (the
	// Gauge node's one bucket over its whole range).
	FromStart bool
}

// TimeSeriesPoint is one bucket's aggregated values (or one report, for
// NONE) at its start time.
type TimeSeriesPoint struct {
	Time time.Time      `json:"time"`
	Data map[string]any `json:"data"`
}

// DeviceSeries is one device's points in a time-series answer.
type DeviceSeries struct {
	Name   string              `json:"name"`
	Tags   map[string][]string `json:"tags"`
	Points []TimeSeriesPoint   `json:"points"`
}

// TimeSeriesResult is the answer to a TimeSeriesQuery: per device, or
// Combined when the query asked for one series. Buckets without data have
// no point.
type TimeSeriesResult struct {
	Devices  map[string]*DeviceSeries
	Combined []TimeSeriesPoint
}

// LastValueQuery asks for the latest value of one attribute of each
// selected device, reported at or before End (zero: now).
type LastValueQuery struct {
	ApplicationID string
	Devices       DeviceSelection
	Attribute     string
	End           time.Time
}

// DataService answers Losant's data queries over device state history.
type DataService interface {
	// QueryTimeSeries answers q. It returns Validation when the selection
	// holds more than MaxDataDevices devices or the query would read more
	// than MaxDataScan reports.
	QueryTimeSeries(ctx context.Context, q *TimeSeriesQuery) (*TimeSeriesResult, error)

	// QueryLastValues returns, by device id, the latest report of each
	// selected device carrying q.Attribute (only that attribute in its
	// data); devices that never reported it are left out. It returns
	// Validation like QueryTimeSeries.
	QueryLastValues(ctx context.Context, q *LastValueQuery) (map[string]DeviceState, error)
}

// DataTime reads a time of a data query as Losant does: 0 is now, a
// negative number is that many milliseconds before now, anything else is
// milliseconds since the epoch.
func DataTime(ms int64, now time.Time) time.Time {
	switch {
	case ms == 0:
		return now.UTC()
	case ms < 0:
		return now.Add(time.Duration(ms) * time.Millisecond).UTC()
	}
	return time.UnixMilli(ms).UTC()
}

// TimeSeriesParams are a time-series query's time and aggregation fields
// as Losant's body and the Time Series node give them (ms; nil: absent).
type TimeSeriesParams struct {
	Start, End, Duration, Resolution *int64
	Aggregation                      string
	Value                            any // TIMEATVALUE's value
	Limit                            *int64
	Order                            string
}

// NewTimeSeriesQuery resolves p against now into q's time range,
// resolution, aggregation, limit and order: end defaults to now, start to
// end minus duration (default DefaultTimeSeriesDuration; a given start wins
// over duration), resolution to the smallest of 1 s, 1 min, 5 min, 15 min,
// 1 h and 1 d giving at most 1000 buckets. It returns Validation for an
// unknown aggregation or order, an empty or too long range, too many
// buckets or a limit out of bounds.
func NewTimeSeriesQuery(q *TimeSeriesQuery, p TimeSeriesParams, now time.Time) error {
	end := now.UTC()
	if p.End != nil {
		end = DataTime(*p.End, now)
	}
	start := end.Add(-DefaultTimeSeriesDuration)
	switch {
	case p.Start != nil:
		start = DataTime(*p.Start, now)
	case p.Duration != nil:
		if *p.Duration <= 0 {
			return Errorf(Validation, "duration must be greater than 0")
		}
		if *p.Duration > MaxTimeSeriesDuration.Milliseconds() {
			return Errorf(Validation, "duration must be at most %d ms", MaxTimeSeriesDuration.Milliseconds())
		}
		start = end.Add(-time.Duration(*p.Duration) * time.Millisecond)
	}
	if !start.Before(end) {
		return Errorf(Validation, "start must be before end")
	}
	if end.Sub(start) > MaxTimeSeriesDuration {
		return Errorf(Validation, "the time range must be at most %d ms", MaxTimeSeriesDuration.Milliseconds())
	}
	q.Start, q.End = start.Truncate(time.Millisecond), end.Truncate(time.Millisecond)

	q.Aggregation = p.Aggregation
	switch q.Aggregation {
	case "":
		q.Aggregation = AggregationMean
	case AggregationFirst, AggregationLast, AggregationCount, AggregationMax, AggregationMin, AggregationMedian,
		AggregationMean, AggregationSum, AggregationStdDev, AggregationNone:
	case AggregationTimeAtValue:
		switch p.Value.(type) {
		case string, float64, bool:
		default:
			return Errorf(Validation, "aggregation TIMEATVALUE needs options.value, a string, number or boolean")
		}
		q.Value = p.Value
	default:
		return Errorf(Validation, "aggregation must be one of FIRST, LAST, COUNT, MAX, MIN, MEDIAN, MEAN, SUM, STD_DEV, NONE, TIMEATVALUE")
	}

	switch p.Order {
	case "", "asc":
		q.Descending = false
	case "desc":
		q.Descending = true
	default:
		return Errorf(Validation, "order must be asc or desc")
	}

	if q.Aggregation == AggregationNone {
		q.Resolution = 0
		q.Limit = DefaultTimeSeriesLimit
		if p.Limit != nil {
			if *p.Limit < 1 || *p.Limit > MaxTimeSeriesLimit {
				return Errorf(Validation, "limit must be between 1 and %d", MaxTimeSeriesLimit)
			}
			q.Limit = int(*p.Limit)
		}
		return nil
	}
	q.Limit = 0
	span := q.End.Sub(q.Start)
	if p.Resolution != nil && *p.Resolution > 0 {
		q.Resolution = time.Duration(*p.Resolution) * time.Millisecond
	} else {
		q.Resolution = defaultResolution(span)
	}
	if n := bucketCount(q.Start, q.End, q.Resolution); n > MaxTimeSeriesBuckets {
		return Errorf(Validation, "resolution %d ms gives %d points, more than %d; raise resolution or shorten the range",
			q.Resolution.Milliseconds(), n, MaxTimeSeriesBuckets)
	}
	return nil
}

// defaultResolution is the smallest standard resolution that cuts span
// into at most 1000 buckets.
func defaultResolution(span time.Duration) time.Duration {
	for _, r := range []time.Duration{time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour} {
		if span/r <= 1000 {
			return r
		}
	}
	return 24 * time.Hour
}

// bucketCount is how many epoch-aligned buckets of res overlap [start, end).
func bucketCount(start, end time.Time, res time.Duration) int64 {
	r := res.Milliseconds()
	first := floorDiv(start.UnixMilli(), r)
	last := floorDiv(end.UnixMilli()-1, r)
	return last - first + 1
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
