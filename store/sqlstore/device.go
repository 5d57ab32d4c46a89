package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weirhq/weir"
)

const deviceColumns = `id, application_id, name, description, device_class, gateway_id, tags, attributes,
	keep_duplicates, connected, connection_time, creation_date, last_updated, parent_id, ancestor_ids`

// deviceList is what devices may be sorted and filtered by.
var deviceList = listSpec{
	sort: map[string]string{"": "name", "name": "name", "id": "id", "creationDate": "creation_date",
		"lastUpdated": "last_updated", "deviceClass": "device_class"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	plain:       map[string]bool{"creation_date": true, "last_updated": true},
	sortNames:   "name, id, creationDate, lastUpdated, deviceClass",
	filterNames: "name",
}

// FindDeviceByID returns the application's device with id, or NotFound.
func (s *Store) FindDeviceByID(ctx context.Context, applicationID, id string) (*weir.Device, error) {
	d, err := viewOne(ctx, s, func(q Querier) (*weir.Device, error) { return findDevice(ctx, q, applicationID, id) })
	if err != nil {
		return nil, fmt.Errorf("find device %s: %w", id, err)
	}
	return d, nil
}

// FindDevices returns one page of the devices the filter selects and how
// many it selects.
func (s *Store) FindDevices(ctx context.Context, filter weir.DeviceFilter) ([]*weir.Device, int, error) {
	where, args := []string{"application_id = ?"}, []any{filter.ApplicationID}
	if filter.IDs != nil {
		if len(filter.IDs) == 0 {
			return []*weir.Device{}, 0, nil
		}
		where = append(where, "id IN ("+placeholders(len(filter.IDs))+")")
		for _, id := range filter.IDs {
			args = append(args, id)
		}
	}
	if filter.DeviceClass != nil {
		if len(filter.DeviceClass) == 0 {
			return []*weir.Device{}, 0, nil
		}
		where = append(where, "device_class IN ("+placeholders(len(filter.DeviceClass))+")")
		for _, c := range filter.DeviceClass {
			args = append(args, c)
		}
	}
	if filter.ParentID != "" {
		where, args = append(where, "parent_id = ?"), append(args, filter.ParentID)
	}
	for _, t := range filter.Tags {
		cond := "EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = devices.id"
		if t.Key != "" {
			cond += " AND t.key = ?"
			args = append(args, t.Key)
		}
		if t.Value != "" {
			cond += " AND t.value = ?"
			args = append(args, t.Value)
		}
		where = append(where, cond+")")
	}
	opts := filter.ListOptions
	if filter.Query != nil {
		opts.Page, opts.PerPage = 0, 0 // the query is matched here, then paged
	}
	cond, args, tail, tailArgs, err := s.listClause(opts, deviceList, where, args)
	if err != nil {
		return nil, 0, err
	}
	ds, n, err := findPage(ctx, s, "devices", deviceColumns, cond, args, tail, tailArgs, scanDevice)
	if err != nil {
		return nil, 0, fmt.Errorf("find devices: %w", err)
	}
	if filter.Query != nil {
		ds, n = matchPage(ds, filter.Query.Match, filter.ListOptions)
	}
	return ds, n, nil
}

// CreateDevice stores d, generating its ID when empty.
func (s *Store) CreateDevice(ctx context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	id := d.ID
	if id == "" {
		id = weir.NewID()
	}
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		tags, attrs, err := encodeDeviceLists(d)
		if err != nil {
			return err
		}
		ancestors, err := s.placeDevice(ctx, q, d, id)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO devices (`+deviceColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)`,
			id, d.ApplicationID, d.Name, d.Description, d.DeviceClass, d.GatewayID, tags, attrs,
			d.KeepDuplicates, millis(now), millis(now), d.ParentID, ancestors)
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Device id %s is already in use", id)
		case err != nil:
			return err
		}
		return writeDeviceTags(ctx, q, id, d.ApplicationID, d.Tags)
	})
	if err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	d.ID, d.CreationDate, d.LastUpdated, d.Connection = id, now, now, weir.ConnectionInfo{}
	return nil
}

// UpdateDevice replaces the device's settings with d's. Attributes whose
// data type changed, and attributes removed, lose their latest values.
func (s *Store) UpdateDevice(ctx context.Context, d *weir.Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := findDevice(ctx, q, d.ApplicationID, d.ID)
		if err != nil {
			return err
		}
		if old.ParentID != d.ParentID {
			// A move: checked and made one at a time, on what the moves
			// before it left.
			if err := s.serializeHierarchy(ctx, q, d.ApplicationID); err != nil {
				return err
			}
			if old, err = findDevice(ctx, q, d.ApplicationID, d.ID); err != nil {
				return err
			}
		}
		tags, attrs, err := encodeDeviceLists(d)
		if err != nil {
			return err
		}
		ancestors, err := s.placeDevice(ctx, q, d, d.ID)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE devices SET name = ?, description = ?, device_class = ?,
			gateway_id = ?, tags = ?, attributes = ?, keep_duplicates = ?, last_updated = ?, parent_id = ?,
			ancestor_ids = ? WHERE id = ?`,
			d.Name, d.Description, d.DeviceClass, d.GatewayID, tags, attrs, d.KeepDuplicates, millis(now),
			d.ParentID, ancestors, d.ID); err != nil {
			return err
		}
		if !slices.Equal(old.AncestorIDs, d.AncestorIDs) {
			// Everything below the device moves with it.
			top := append(slices.Clone(d.AncestorIDs), d.ID)
			if err := s.rewriteDescendants(ctx, q, d.ApplicationID, d.ID, func(below []string) []string {
				return append(slices.Clone(top), below...)
			}); err != nil {
				return err
			}
		}
		for _, a := range old.Attributes {
			if na, ok := d.Attribute(a.Name); !ok || na.DataType != a.DataType {
				if _, err := q.ExecContext(ctx, `DELETE FROM device_attribute_values WHERE device_id = ? AND name = ?`,
					d.ID, a.Name); err != nil {
					return err
				}
			}
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM device_tags WHERE device_id = ?`, d.ID); err != nil {
			return err
		}
		if err := writeDeviceTags(ctx, q, d.ID, d.ApplicationID, d.Tags); err != nil {
			return err
		}
		d.CreationDate, d.LastUpdated, d.Connection = old.CreationDate, now, old.Connection
		return nil
	})
	if err != nil {
		return fmt.Errorf("update device %s: %w", d.ID, err)
	}
	return nil
}

// DeleteDevice removes the device; its tags, history and commands go with
// it, and its children move up to its parent.
func (s *Store) DeleteDevice(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		if err := s.serializeHierarchy(ctx, q, applicationID); err != nil {
			return err
		}
		// Locked, so that a child created meanwhile is moved too.
		d, err := scanDevice(q.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices
			WHERE id = ? AND application_id = ?`+s.d.Lock(true), id, applicationID))
		if errors.Is(err, sql.ErrNoRows) {
			return errDeviceNotFound()
		} else if err != nil {
			return err
		}
		if err := s.rewriteDescendants(ctx, q, applicationID, id, func(below []string) []string {
			return append(slices.Clone(d.AncestorIDs), below...)
		}); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE devices SET parent_id = ? WHERE application_id = ? AND parent_id = ?`,
			d.ParentID, applicationID, id); err != nil {
			return err
		}
		return execOne(ctx, q, errDeviceNotFound, `DELETE FROM devices WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete device %s: %w", id, err)
	}
	return nil
}

// SetConnectionStatus records the device's connection status as of e.Time
// and adds e to its connection log, in one transaction.
func (s *Store) SetConnectionStatus(ctx context.Context, applicationID, id string, e weir.DeviceLogEntry) (*weir.Device, error) {
	var d *weir.Device
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		err := execOne(ctx, q, errDeviceNotFound, `UPDATE devices SET connected = ?, connection_time = ? WHERE id = ? AND application_id = ?`,
			e.Connected, millis(e.Time), id, applicationID)
		if err != nil {
			return err
		}
		if err := s.addDeviceLogEntry(ctx, q, id, e); err != nil {
			return err
		}
		d, err = findDevice(ctx, q, applicationID, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set connection status of device %s: %w", id, err)
	}
	return d, nil
}

// serializeHierarchy makes the transaction wait for the other moves and
// deletions of the application's devices, so that two moves made at once
// cannot close a loop together. It comes before any row lock the
// transaction takes.
func (s *Store) serializeHierarchy(ctx context.Context, q Querier, applicationID string) error {
	if s.d.Serialize == "" {
		return nil
	}
	rows, err := q.QueryContext(ctx, s.d.Serialize, "devices/"+applicationID)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// placeDevice checks d's parent, a device of its application that is not
// the device id nor below it, and sets d.AncestorIDs: the parent's
// ancestors and the parent. It returns them encoded for ancestor_ids.
func (s *Store) placeDevice(ctx context.Context, q Querier, d *weir.Device, id string) (string, error) {
	d.AncestorIDs = nil
	if d.ParentID == "" {
		return "[]", nil
	}
	if d.ParentID == id {
		return "", weir.Errorf(weir.Validation, "parentId must not be the device itself")
	}
	p, err := scanDevice(q.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE id = ? AND application_id = ?`+s.d.Lock(false), d.ParentID, d.ApplicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return "", weir.Errorf(weir.Validation, "parentId %s is not a device of this application", d.ParentID)
	} else if err != nil {
		return "", err
	}
	if slices.Contains(p.AncestorIDs, id) {
		return "", weir.Errorf(weir.Validation, "parentId %s is below the device itself", d.ParentID)
	}
	d.AncestorIDs = append(p.AncestorIDs, p.ID)
	return marshal(d.AncestorIDs)
}

// rewriteDescendants replaces, in the ancestors of every device below id,
// id and what is above it with what above returns given the ids below it
// (id's children get above(nil)).
func (s *Store) rewriteDescendants(ctx context.Context, q Querier, applicationID, id string, above func(below []string) []string) error {
	return s.rewriteIDList(ctx, q, "devices", "ancestor_ids", applicationID, id, func(ancestors []string) []string {
		return above(ancestors[slices.Index(ancestors, id)+1:])
	})
}

// nonNil returns ids, or an empty list for nil.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func errDeviceNotFound() error { return weir.Errorf(weir.NotFound, "Device was not found") }

func findDevice(ctx context.Context, q Querier, applicationID, id string) (*weir.Device, error) {
	d, err := scanDevice(q.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ? AND application_id = ?`,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errDeviceNotFound()
	}
	return d, err
}

func writeDeviceTags(ctx context.Context, q Querier, id, applicationID string, tags []weir.DeviceTag) error {
	for _, t := range tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO device_tags (device_id, application_id, key, value) VALUES (?, ?, ?, ?)`,
			id, applicationID, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

func encodeDeviceLists(d *weir.Device) (tags, attrs string, err error) {
	if d.Tags == nil {
		d.Tags = []weir.DeviceTag{}
	}
	if d.Attributes == nil {
		d.Attributes = []weir.DeviceAttribute{}
	}
	if tags, err = marshal(d.Tags); err != nil {
		return "", "", err
	}
	attrs, err = marshal(d.Attributes)
	return tags, attrs, err
}

func scanDevice(s scanner) (*weir.Device, error) {
	var (
		d                weir.Device
		tags, attrs      string
		connected        sql.NullBool
		connTime         sql.NullInt64
		created, updated int64
		ancestors        string
	)
	if err := s.Scan(&d.ID, &d.ApplicationID, &d.Name, &d.Description, &d.DeviceClass, &d.GatewayID, &tags, &attrs,
		&d.KeepDuplicates, &connected, &connTime, &created, &updated, &d.ParentID, &ancestors); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ancestors), &d.AncestorIDs); err != nil {
		return nil, fmt.Errorf("decode ancestors: %w", err)
	}
	if len(d.AncestorIDs) == 0 {
		d.AncestorIDs = nil
	}
	if err := json.Unmarshal([]byte(tags), &d.Tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if err := json.Unmarshal([]byte(attrs), &d.Attributes); err != nil {
		return nil, fmt.Errorf("decode attributes: %w", err)
	}
	if connected.Valid {
		c := connected.Bool
		d.Connection = weir.ConnectionInfo{Connected: &c, Time: fromMillis(connTime.Int64)}
	}
	d.CreationDate, d.LastUpdated = fromMillis(created), fromMillis(updated)
	return &d, nil
}

var _ weir.DeviceService = (*Store)(nil)
