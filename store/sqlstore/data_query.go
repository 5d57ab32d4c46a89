package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// Data queries read the selected devices' reports in time order, one
// device at a time, through the (device_id, time) primary key, and fold
// them in Go (weir.SeriesFold). Aggregating in SQL would need each
// database's JSON functions over the stored report text, and neither SQLite
// nor PostgreSQL has FIRST, LAST, MEDIAN and time-at-value alike; one fold
// gives both stores the same answers to the last bit. The scan is bounded
// by weir.MaxDataScan reports per query, and a fold holds one accumulator
// per bucket and attribute, not the reports.

// QueryTimeSeries answers q over the selected devices' history.
func (s *Store) QueryTimeSeries(ctx context.Context, q *weir.TimeSeriesQuery) (*weir.TimeSeriesResult, error) {
	devices, err := s.selectDevices(ctx, q.ApplicationID, q.Devices)
	if err != nil {
		return nil, err
	}
	out := &weir.TimeSeriesResult{}
	desc := q.Aggregation == weir.AggregationNone && q.Descending
	var (
		combined *weir.SeriesFold
		now      time.Time
	)
	err = s.d.View(ctx, func(tx Querier) error {
		// Everything starts over here, should the store run fn again.
		combined, now = nil, time.Now()
		if q.Combined {
			combined = weir.NewSeriesFold(q)
		} else {
			out.Devices = make(map[string]*weir.DeviceSeries, len(devices))
		}
		bound := s.newScanBound()
		for _, d := range devices {
			fold := combined
			if fold == nil {
				fold = weir.NewSeriesFold(q)
			}
			if q.Aggregation == weir.AggregationTimeAtValue {
				held, err := heldBefore(ctx, tx, d.ID, q.Start, q.Attributes)
				if err != nil {
					return err
				}
				fold.Seed(d.ID, held)
			}
			err := scanStates(ctx, tx, d.ID, q.Start, q.End.Add(-time.Millisecond), desc, 0, bound,
				func(at time.Time, data map[string]any) bool {
					fold.Add(d.ID, at, data)
					return !fold.Full()
				})
			if err != nil {
				return err
			}
			if !q.Combined {
				out.Devices[d.ID] = &weir.DeviceSeries{Name: d.Name, Tags: d.TagsObject(), Points: fold.Points(now)}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("time series query: %w", err)
	}
	if combined != nil {
		out.Combined = combined.Points(now)
	}
	return out, nil
}

// QueryLastValues returns each selected device's latest report of the
// attribute: from the kept latest values when End is zero, else from the
// history at or before End.
func (s *Store) QueryLastValues(ctx context.Context, q *weir.LastValueQuery) (map[string]weir.DeviceState, error) {
	devices, err := s.selectDevices(ctx, q.ApplicationID, q.Devices)
	if err != nil {
		return nil, err
	}
	out := make(map[string]weir.DeviceState, len(devices))
	if len(devices) == 0 {
		return out, nil
	}
	err = s.d.View(ctx, func(tx Querier) error {
		clear(out)
		if q.End.IsZero() {
			return latestValues(ctx, tx, devices, q.Attribute, out)
		}
		bound := s.newScanBound()
		for _, d := range devices {
			err := scanStates(ctx, tx, d.ID, time.Time{}, q.End, true, 0, bound, func(at time.Time, data map[string]any) bool {
				v, ok := data[q.Attribute]
				if ok {
					out[d.ID] = weir.DeviceState{DeviceID: d.ID, Time: at, Data: map[string]any{q.Attribute: v}}
				}
				return !ok
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("last value query: %w", err)
	}
	return out, nil
}

// heldLookBack is how many reports before a range heldBefore reads at most.
const heldLookBack = 10_000

// heldBefore returns the device's latest value of each of attrs (nil:
// those of its latest report) among its heldLookBack latest reports before
// start.
func heldBefore(ctx context.Context, tx Querier, deviceID string, start time.Time, attrs []string) (map[string]any, error) {
	held := map[string]any{}
	err := scanStates(ctx, tx, deviceID, time.Time{}, start.Add(-time.Millisecond), true, heldLookBack, nil, func(_ time.Time, data map[string]any) bool {
		if attrs == nil {
			held = data
			return false
		}
		for _, a := range attrs {
			if _, done := held[a]; !done {
				if v, ok := data[a]; ok {
					held[a] = v
				}
			}
		}
		return len(held) < len(attrs)
	})
	return held, err
}

// latestValues sets in out the kept latest value of attribute name of each
// device that has one.
func latestValues(ctx context.Context, tx Querier, devices []*weir.Device, name string, out map[string]weir.DeviceState) error {
	args := []any{name}
	for _, d := range devices {
		args = append(args, d.ID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT device_id, value, time FROM device_attribute_values
		WHERE name = ? AND device_id IN (`+placeholders(len(devices))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, value string
			at        int64
			v         any
		)
		if err := rows.Scan(&id, &value, &at); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			return fmt.Errorf("decode value: %w", err)
		}
		out[id] = weir.DeviceState{DeviceID: id, Time: fromMillis(at), Data: map[string]any{name: v}}
	}
	return rows.Err()
}

// scanBound counts the reports one data query reads.
type scanBound struct{ read, max int }

// newScanBound returns the bound of one data query of s.
func (s *Store) newScanBound() *scanBound {
	if s.MaxDataScan > 0 {
		return &scanBound{max: s.MaxDataScan}
	}
	return &scanBound{max: weir.MaxDataScan}
}

// scanStates calls fn with the device's reports within [start, end] (zero:
// unbounded), oldest first or with desc newest first, at most limit of them
// (0: all), until fn returns false. bound, when not nil, counts the reports
// read across calls; past its max the scan stops with Validation.
func scanStates(ctx context.Context, tx Querier, deviceID string, start, end time.Time, desc bool, limit int, bound *scanBound,
	fn func(at time.Time, data map[string]any) bool) error {
	cond, args := timeRange(deviceID, start, end)
	query := `SELECT time, data FROM device_states WHERE ` + cond + ` ORDER BY time ASC`
	if desc {
		query = strings.TrimSuffix(query, "ASC") + "DESC"
	}
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if bound != nil {
			if bound.read++; bound.read > bound.max {
				return weir.Errorf(weir.Validation, "the query reads more than %d state reports; shorten the time range or select fewer devices", bound.max)
			}
		}
		var (
			at   int64
			text string
		)
		if err := rows.Scan(&at, &text); err != nil {
			return err
		}
		data, err := decodeState(text)
		if err != nil {
			return fmt.Errorf("decode state: %w", err)
		}
		if !fn(fromMillis(at), data) {
			return nil
		}
	}
	return rows.Err()
}

// selectDevices returns the devices sel picks (weir.SelectDevices), at
// most weir.MaxDataDevices.
func (s *Store) selectDevices(ctx context.Context, applicationID string, sel weir.DeviceSelection) ([]*weir.Device, error) {
	return weir.SelectDevices(ctx, s, applicationID, sel, weir.MaxDataDevices)
}

var _ weir.DataService = (*Store)(nil)
