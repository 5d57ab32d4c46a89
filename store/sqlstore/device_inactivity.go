package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// FindLastActivity reads each device's latest report time from the kept
// latest attribute values (which pruning the history leaves).
func (s *Store) FindLastActivity(ctx context.Context, applicationID string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.d.View(ctx, func(q Querier) error {
		clear(out)
		rows, err := q.QueryContext(ctx, `SELECT v.device_id, MAX(v.time) FROM device_attribute_values v
			JOIN devices d ON d.id = v.device_id WHERE d.application_id = ? GROUP BY v.device_id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id string
				at int64
			)
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			out[id] = fromMillis(at)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find last activity: %w", err)
	}
	return out, nil
}

// BeginInactivity stores m as the row's silence unless it is already, then
// reports whether its run is still to be queued.
func (s *Store) BeginInactivity(ctx context.Context, m weir.InactivityMark) (bool, error) {
	var queued int
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO device_inactivity (flow_id, trigger_key, device_id, seconds, last_activity, queued)
			VALUES (?, ?, ?, ?, ?, 0)
			ON CONFLICT (flow_id, trigger_key, device_id) DO UPDATE
			SET seconds = excluded.seconds, last_activity = excluded.last_activity, queued = 0
			WHERE device_inactivity.seconds <> excluded.seconds OR device_inactivity.last_activity <> excluded.last_activity`,
			m.FlowID, m.TriggerKey, m.DeviceID, m.Seconds, millis(m.LastActivity)); err != nil {
			if s.d.IsForeignKey(err) {
				return weir.Errorf(weir.NotFound, "Flow or device was not found")
			}
			return err
		}
		return q.QueryRowContext(ctx, `SELECT queued FROM device_inactivity WHERE flow_id = ? AND trigger_key = ? AND device_id = ?`,
			m.FlowID, m.TriggerKey, m.DeviceID).Scan(&queued)
	})
	if err != nil {
		return false, fmt.Errorf("begin inactivity of device %s: %w", m.DeviceID, err)
	}
	return queued == 0, nil
}

// EndInactivity marks m's silence queued; a row holding another silence
// by now is left alone.
func (s *Store) EndInactivity(ctx context.Context, m weir.InactivityMark) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		_, err := q.ExecContext(ctx, `UPDATE device_inactivity SET queued = 1
			WHERE flow_id = ? AND trigger_key = ? AND device_id = ? AND seconds = ? AND last_activity = ?`,
			m.FlowID, m.TriggerKey, m.DeviceID, m.Seconds, millis(m.LastActivity))
		return err
	})
	if err != nil {
		return fmt.Errorf("end inactivity of device %s: %w", m.DeviceID, err)
	}
	return nil
}

var _ weir.InactivityService = (*Store)(nil)
