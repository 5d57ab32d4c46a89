package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// AddDeviceCommand records c as sent to the device; a zero Time is the
// transaction's time.
func (s *Store) AddDeviceCommand(ctx context.Context, applicationID, deviceID string, c *weir.DeviceCommand) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		if _, err := findDevice(ctx, q, applicationID, deviceID); err != nil {
			return err
		}
		if c.Time.IsZero() {
			c.Time = now
		}
		c.Time = c.Time.UTC().Truncate(time.Millisecond)
		var payload any
		if len(c.Payload) > 0 {
			payload = string(c.Payload)
		}
		_, err := q.ExecContext(ctx, `INSERT INTO device_commands (id, device_id, name, payload, time) VALUES (?, ?, ?, ?, ?)`,
			weir.NewID(), deviceID, c.Name, payload, millis(c.Time))
		return err
	})
	if err != nil {
		return fmt.Errorf("add command of device %s: %w", deviceID, err)
	}
	return nil
}

// FindDeviceCommands returns the commands the filter selects.
func (s *Store) FindDeviceCommands(ctx context.Context, filter weir.CommandFilter) ([]weir.DeviceCommand, error) {
	limit := filter.Limit
	if limit <= 0 {
		limit = weir.DefaultCommandLimit
	}
	dir := " DESC"
	if filter.Ascending {
		dir = " ASC"
	}
	out := []weir.DeviceCommand{}
	err := s.d.View(ctx, func(q Querier) error {
		if _, err := findDevice(ctx, q, filter.ApplicationID, filter.DeviceID); err != nil {
			return err
		}
		cond, args := timeRange(filter.DeviceID, filter.Start, filter.End)
		rows, err := q.QueryContext(ctx, `SELECT name, payload, time FROM device_commands WHERE `+cond+
			` ORDER BY time`+dir+`, `+s.d.Bytewise("id")+dir+` LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c       weir.DeviceCommand
				payload sql.NullString
				at      int64
			)
			if err := rows.Scan(&c.Name, &payload, &at); err != nil {
				return err
			}
			if payload.Valid {
				c.Payload = []byte(payload.String)
			}
			c.Time = fromMillis(at)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find commands of device %s: %w", filter.DeviceID, err)
	}
	return out, nil
}

var _ weir.DeviceCommandService = (*Store)(nil)
