package sqlstore

import (
	"context"
	"fmt"

	"github.com/weirhq/weir"
)

// FindDeviceLogEntries returns the connection log entries the filter
// selects.
func (s *Store) FindDeviceLogEntries(ctx context.Context, filter weir.DeviceLogFilter) ([]weir.DeviceLogEntry, error) {
	limit := filter.Limit
	if limit <= 0 {
		limit = weir.DefaultDeviceLogLimit
	}
	dir := " DESC"
	if filter.Ascending {
		dir = " ASC"
	}
	out := []weir.DeviceLogEntry{}
	err := s.d.View(ctx, func(q Querier) error {
		if _, err := findDevice(ctx, q, filter.ApplicationID, filter.DeviceID); err != nil {
			return err
		}
		cond, args := timeRange(filter.DeviceID, filter.Start, filter.End)
		rows, err := q.QueryContext(ctx, `SELECT connected, time, disconnect_reason, messages_from_client, messages_to_client, ip_address
			FROM device_logs WHERE `+cond+` ORDER BY time`+dir+`, `+s.d.Bytewise("id")+dir+` LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e  weir.DeviceLogEntry
				at int64
			)
			if err := rows.Scan(&e.Connected, &at, &e.DisconnectReason, &e.MessagesFromClient, &e.MessagesToClient, &e.IPAddress); err != nil {
				return err
			}
			e.Time = fromMillis(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find log entries of device %s: %w", filter.DeviceID, err)
	}
	return out, nil
}

// addDeviceLogEntry appends e to the device's connection log and deletes
// the entries beyond the newest weir.MaxDeviceLogEntries.
func (s *Store) addDeviceLogEntry(ctx context.Context, q Querier, deviceID string, e weir.DeviceLogEntry) error {
	connected := 0
	if e.Connected {
		connected = 1
	}
	_, err := q.ExecContext(ctx, `INSERT INTO device_logs (id, device_id, connected, time, disconnect_reason,
		messages_from_client, messages_to_client, ip_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		weir.NewID(), deviceID, connected, millis(e.Time), e.DisconnectReason,
		e.MessagesFromClient, e.MessagesToClient, e.IPAddress)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `DELETE FROM device_logs WHERE device_id = ? AND id NOT IN (
		SELECT id FROM device_logs WHERE device_id = ? ORDER BY time DESC, `+s.d.Bytewise("id")+` DESC LIMIT ?)`,
		deviceID, deviceID, weir.MaxDeviceLogEntries)
	return err
}

var _ weir.DeviceLogService = (*Store)(nil)
