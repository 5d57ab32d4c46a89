package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/weirhq/weir"
)

// AddDeviceStates commits the reports that survive normalization and the
// time window, merging each into a stored report of the same millisecond,
// and advances the device's latest attribute values.
func (s *Store) AddDeviceStates(ctx context.Context, applicationID, deviceID string, states []weir.DeviceState) ([]weir.DeviceState, *weir.Device, error) {
	var (
		kept []weir.DeviceState
		dev  *weir.Device
	)
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		kept = kept[:0]
		d, err := findDevice(ctx, q, applicationID, deviceID)
		if err != nil {
			return err
		}
		dev = d
		for _, st := range states {
			if !weir.StateTimeAllowed(st.Time, now) {
				continue
			}
			data, _ := weir.NormalizeState(d, st.Data)
			if len(data) == 0 {
				continue
			}
			kept = append(kept, weir.DeviceState{DeviceID: deviceID, Time: st.Time.UTC().Truncate(time.Millisecond), Data: data})
		}
		for _, st := range sameTimeMerged(kept) {
			if err := addState(ctx, q, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("add states of device %s: %w", deviceID, err)
	}
	return kept, dev, nil
}

// sameTimeMerged returns states with the reports of the same time merged
// into one, in the order of their first report, a later report's values
// winning: storing them gives what storing each report in turn gives (a
// device sending several reports within a millisecond, server time, has
// them merged), with one write per time instead of a write, a read and a
// rewrite per report. states is left as it is.
func sameTimeMerged(states []weir.DeviceState) []weir.DeviceState {
	if len(states) < 2 {
		return states
	}
	var (
		out   []weir.DeviceState
		at    = make(map[int64]int, len(states))
		owned []bool // out[i].Data is a map of its own, not a report's
	)
	for _, st := range states {
		i, seen := at[millis(st.Time)]
		if !seen {
			at[millis(st.Time)] = len(out)
			out = append(out, st)
			owned = append(owned, false)
			continue
		}
		if !owned[i] {
			out[i].Data = maps.Clone(out[i].Data)
			owned[i] = true
		}
		maps.Copy(out[i].Data, st.Data)
	}
	return out
}

// addState stores st, merged into a stored report of the same time, and
// advances the latest values of its attributes. A report of a new time
// takes one statement; only one of a time already stored reads and merges.
func addState(ctx context.Context, q Querier, st weir.DeviceState) error {
	data, err := marshal(st.Data)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO device_states (device_id, time, data) VALUES (?, ?, ?)
		ON CONFLICT (device_id, time) DO NOTHING`, st.DeviceID, millis(st.Time), data)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if err := mergeState(ctx, q, st); err != nil {
			return err
		}
	}
	for name, v := range st.Data {
		val, err := marshal(v)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO device_attribute_values (device_id, name, value, time) VALUES (?, ?, ?, ?)
			ON CONFLICT (device_id, name) DO UPDATE SET value = excluded.value, time = excluded.time
			WHERE excluded.time >= device_attribute_values.time`, st.DeviceID, name, val, millis(st.Time)); err != nil {
			return err
		}
	}
	return nil
}

// mergeState merges st into the stored report of the same time.
func mergeState(ctx context.Context, q Querier, st weir.DeviceState) error {
	var old string
	if err := q.QueryRowContext(ctx, `SELECT data FROM device_states WHERE device_id = ? AND time = ?`,
		st.DeviceID, millis(st.Time)).Scan(&old); err != nil {
		return err
	}
	merged := map[string]any{}
	if err := json.Unmarshal([]byte(old), &merged); err != nil {
		return fmt.Errorf("decode state: %w", err)
	}
	maps.Copy(merged, st.Data)
	data, err := marshal(merged)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE device_states SET data = ? WHERE device_id = ? AND time = ?`,
		data, st.DeviceID, millis(st.Time))
	return err
}

// FindDeviceStates returns the reports the filter selects.
func (s *Store) FindDeviceStates(ctx context.Context, filter weir.StateFilter) ([]weir.DeviceState, error) {
	limit := filter.Limit
	if limit <= 0 {
		limit = weir.DefaultStateLimit
	}
	var out []weir.DeviceState
	err := s.d.View(ctx, func(q Querier) error {
		if _, err := findDevice(ctx, q, filter.ApplicationID, filter.DeviceID); err != nil {
			return err
		}
		var err error
		out, err = findStates(ctx, q, filter.DeviceID, filter.Start, filter.End, filter.Ascending, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find states of device %s: %w", filter.DeviceID, err)
	}
	return out, nil
}

// FindCompositeState returns the latest value of each attribute: from the
// kept latest values when the window is unbounded, else folded from the
// history within it.
func (s *Store) FindCompositeState(ctx context.Context, filter weir.StateFilter) (weir.CompositeState, error) {
	out := weir.CompositeState{}
	err := s.d.View(ctx, func(q Querier) error {
		if _, err := findDevice(ctx, q, filter.ApplicationID, filter.DeviceID); err != nil {
			return err
		}
		if !filter.Start.IsZero() || !filter.End.IsZero() {
			states, err := findStates(ctx, q, filter.DeviceID, filter.Start, filter.End, true, 0)
			if err != nil {
				return err
			}
			fold(out, states)
			return nil
		}
		rows, err := q.QueryContext(ctx, `SELECT name, value, time FROM device_attribute_values WHERE device_id = ?`,
			filter.DeviceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				name, value string
				at          int64
				v           any
			)
			if err := rows.Scan(&name, &value, &at); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(value), &v); err != nil {
				return fmt.Errorf("decode value: %w", err)
			}
			out[name] = weir.StateValue{Value: v, Time: fromMillis(at)}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find composite state of device %s: %w", filter.DeviceID, err)
	}
	return out, nil
}

// RemoveDeviceData deletes the state history (or some attributes' values),
// connection log and commands within the window, and rebuilds the latest
// values it removed from what remains.
func (s *Store) RemoveDeviceData(ctx context.Context, applicationID, deviceID string, r weir.DataRemoval) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		if _, err := findDevice(ctx, q, applicationID, deviceID); err != nil {
			return err
		}
		cond, args := timeRange(deviceID, r.Start, r.End)
		var tables []string
		if !r.KeepConnectionHistory {
			tables = append(tables, "device_logs")
		}
		if !r.KeepCommandHistory {
			tables = append(tables, "device_commands")
		}
		for _, table := range tables {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+cond, args...); err != nil {
				return err
			}
		}
		if r.Attributes == nil {
			if _, err := q.ExecContext(ctx, `DELETE FROM device_states WHERE `+cond, args...); err != nil {
				return err
			}
		} else if err := removeAttributes(ctx, q, deviceID, r); err != nil {
			return err
		}
		return rebuildLatest(ctx, q, deviceID, r)
	})
	if err != nil {
		return fmt.Errorf("remove data of device %s: %w", deviceID, err)
	}
	return nil
}

// removeAttributes deletes r.Attributes from the device's reports within
// the window; a report left with nothing goes.
func removeAttributes(ctx context.Context, q Querier, deviceID string, r weir.DataRemoval) error {
	type change struct {
		at   int64
		data string // "": delete the report
	}
	var changes []change
	err := scanStates(ctx, q, deviceID, r.Start, r.End, false, 0, nil, func(at time.Time, data map[string]any) bool {
		n := len(data)
		for _, name := range r.Attributes {
			delete(data, name)
		}
		if len(data) == n {
			return true
		}
		c := change{at: millis(at)}
		if len(data) > 0 {
			c.data, _ = marshal(data) // decoded from JSON, so it encodes
		}
		changes = append(changes, c)
		return true
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		var err error
		if c.data == "" {
			_, err = q.ExecContext(ctx, `DELETE FROM device_states WHERE device_id = ? AND time = ?`, deviceID, c.at)
		} else {
			_, err = q.ExecContext(ctx, `UPDATE device_states SET data = ? WHERE device_id = ? AND time = ?`, c.data, deviceID, c.at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rebuildLatest replaces the latest values the removal r may have taken
// (dated within its window, of its attributes) with the newest reports
// left; an attribute with none left has no latest value.
func rebuildLatest(ctx context.Context, q Querier, deviceID string, r weir.DataRemoval) error {
	cond, args := timeRange(deviceID, r.Start, r.End)
	rows, err := q.QueryContext(ctx, `SELECT name FROM device_attribute_values WHERE `+cond, args...)
	if err != nil {
		return err
	}
	stale := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if r.Attributes == nil || slices.Contains(r.Attributes, name) {
			stale[name] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(stale) == 0 {
		return err
	}
	latest := weir.CompositeState{}
	err = scanStates(ctx, q, deviceID, time.Time{}, time.Time{}, true, 0, nil, func(at time.Time, data map[string]any) bool {
		for name, v := range data {
			if _, done := latest[name]; stale[name] && !done {
				latest[name] = weir.StateValue{Value: v, Time: at}
			}
		}
		return len(latest) < len(stale)
	})
	if err != nil {
		return err
	}
	for name := range stale {
		sv, ok := latest[name]
		if !ok {
			if _, err := q.ExecContext(ctx, `DELETE FROM device_attribute_values WHERE device_id = ? AND name = ?`, deviceID, name); err != nil {
				return err
			}
			continue
		}
		val, err := marshal(sv.Value)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE device_attribute_values SET value = ?, time = ? WHERE device_id = ? AND name = ?`,
			val, millis(sv.Time), deviceID, name); err != nil {
			return err
		}
	}
	return nil
}

// pruneBatch is how many reports one prune statement deletes, so that a
// large prune never holds the database for long.
const pruneBatch = 5000

// PruneDeviceStates deletes the reports dated before before, in batches.
func (s *Store) PruneDeviceStates(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
			res, err := q.ExecContext(ctx, `DELETE FROM device_states WHERE (device_id, time) IN
				(SELECT device_id, time FROM device_states WHERE time < ? LIMIT ?)`, millis(before), pruneBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune device states: %w", err)
		}
		total += int(n)
		if n < pruneBatch {
			return total, nil
		}
	}
}

// findStates returns the device's reports within [start, end], ordered by
// time, at most limit of them (0: all).
func findStates(ctx context.Context, q Querier, deviceID string, start, end time.Time, asc bool, limit int) ([]weir.DeviceState, error) {
	out := []weir.DeviceState{}
	err := scanStates(ctx, q, deviceID, start, end, !asc, limit, nil, func(at time.Time, data map[string]any) bool {
		out = append(out, weir.DeviceState{DeviceID: deviceID, Time: at, Data: data})
		return true
	})
	return out, err
}

// timeRange is the condition selecting a device's rows within [start, end]
// (zero: unbounded).
func timeRange(deviceID string, start, end time.Time) (string, []any) {
	cond, args := "device_id = ?", []any{deviceID}
	if !start.IsZero() {
		cond += " AND time >= ?"
		args = append(args, millis(start))
	}
	if !end.IsZero() {
		cond += " AND time <= ?"
		args = append(args, millis(end))
	}
	return cond, args
}

// fold sets in c each attribute's value from states, in time order, so the
// latest wins.
func fold(c weir.CompositeState, states []weir.DeviceState) {
	for _, st := range states {
		for name, v := range st.Data {
			c[name] = weir.StateValue{Value: v, Time: st.Time}
		}
	}
}

var _ weir.DeviceStateService = (*Store)(nil)
