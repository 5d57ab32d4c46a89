package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// An event is kept as its JSON document beside the columns it is selected
// and sorted by.
const eventColumns = `id, application_id, level, state, subject, device_id, creation_date, last_updated, doc`

// eventList is what events may be sorted and filtered by.
var eventList = listSpec{
	sort: map[string]string{"": "creation_date", "creationDate": "creation_date", "subject": "subject", "id": "id",
		"lastUpdated": "last_updated", "level": "level", "state": "state", "deviceId": "device_id"},
	filter:      map[string]string{"": "subject", "subject": "subject"},
	fold:        map[string]bool{"subject": true},
	plain:       map[string]bool{"creation_date": true, "last_updated": true},
	sortNames:   "subject, id, creationDate, lastUpdated, level, state, deviceId",
	filterNames: "subject",
}

// FindEventByID returns the application's event with id, or NotFound.
func (s *Store) FindEventByID(ctx context.Context, applicationID, id string) (*weir.Event, error) {
	e, err := viewOne(ctx, s, func(q Querier) (*weir.Event, error) { return findEvent(ctx, q, applicationID, id) })
	if err != nil {
		return nil, fmt.Errorf("find event %s: %w", id, err)
	}
	return e, nil
}

// FindEvents returns one page of the events the filter selects and how many
// it selects.
func (s *Store) FindEvents(ctx context.Context, filter weir.EventFilter) ([]*weir.Event, int, error) {
	opts := filter.ListOptions
	if filter.Query != nil {
		opts.Page, opts.PerPage = 0, 0 // the query is matched here, then paged
	}
	cond, args, tail, tailArgs, err := s.eventClause(filter, opts)
	if err != nil {
		return nil, 0, err
	}
	es, n, err := findPage(ctx, s, "events", eventColumns, cond, args, tail, tailArgs, scanEvent)
	if err != nil {
		return nil, 0, fmt.Errorf("find events: %w", err)
	}
	if filter.Query != nil {
		es, n = matchPage(es, filter.Query.Match, filter.ListOptions)
	}
	return es, n, nil
}

// eventClause is listClause for events: the application, the state and the
// subject filter.
func (s *Store) eventClause(filter weir.EventFilter, opts weir.ListOptions) (string, []any, string, []any, error) {
	where, args := []string{"application_id = ?"}, []any{filter.ApplicationID}
	if filter.State != "" {
		where, args = append(where, "state = ?"), append(args, filter.State)
	}
	return s.listClause(opts, eventList, where, args)
}

// CreateEvent stores e with a new ID.
func (s *Store) CreateEvent(ctx context.Context, e *weir.Event) error {
	if e.State == "" {
		e.State = weir.EventNew
	}
	if e.EventTags == nil {
		e.EventTags = map[string]string{}
	}
	if err := e.Validate(); err != nil {
		return err
	}
	saved := *e
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		*e = saved
		e.ID, e.LastUpdated, e.Updates = weir.NewID(), now, []weir.EventUpdate{}
		if e.CreationDate.IsZero() {
			e.CreationDate = now
		}
		e.CreationDate = e.CreationDate.UTC().Truncate(time.Millisecond)
		if e.DeviceID != "" {
			name, err := eventDeviceName(ctx, q, e.ApplicationID, e.DeviceID)
			if err != nil {
				return err
			}
			e.DeviceName = name
		}
		doc, err := marshal(e)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO events (`+eventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.ApplicationID, e.Level, e.State, e.Subject, e.DeviceID, millis(e.CreationDate), millis(e.LastUpdated), doc)
		if s.d.IsForeignKey(err) {
			return weir.Errorf(weir.NotFound, "Application was not found")
		}
		return err
	})
	if err != nil {
		*e = saved
		return fmt.Errorf("create event: %w", err)
	}
	return nil
}

// UpdateEvent applies p to one event.
func (s *Store) UpdateEvent(ctx context.Context, applicationID, id string, p weir.EventPatch, src weir.EventSource) (old, updated *weir.Event, err error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	err = s.d.Update(ctx, func(q Querier, now time.Time) error {
		e, err := findEvent(ctx, q, applicationID, id)
		if err != nil {
			return err
		}
		before := *e
		if err := applyEventPatch(ctx, q, e, p, src, now); err != nil {
			return err
		}
		old, updated = &before, e
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update event %s: %w", id, err)
	}
	return old, updated, nil
}

// UpdateEvents applies p to every event the filter selects.
func (s *Store) UpdateEvents(ctx context.Context, filter weir.EventFilter, p weir.EventPatch, src weir.EventSource) (old, updated []*weir.Event, err error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	err = s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, updated = nil, nil
		es, err := s.selectEvents(ctx, q, filter)
		if err != nil {
			return err
		}
		for _, e := range es {
			before := *e
			if err := applyEventPatch(ctx, q, e, p, src, now); err != nil {
				return err
			}
			old, updated = append(old, &before), append(updated, e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("update events: %w", err)
	}
	return old, updated, nil
}

// DeleteEvent removes one event.
func (s *Store) DeleteEvent(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		return execOne(ctx, q, errEventNotFound, `DELETE FROM events WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete event %s: %w", id, err)
	}
	return nil
}

// DeleteEvents removes every event the filter selects.
func (s *Store) DeleteEvents(ctx context.Context, filter weir.EventFilter) (int, error) {
	var n int
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		n = 0
		es, err := s.selectEvents(ctx, q, filter)
		if err != nil {
			return err
		}
		for _, e := range es {
			if _, err := q.ExecContext(ctx, `DELETE FROM events WHERE id = ?`, e.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", err)
	}
	return n, nil
}

// selectEvents reads, within q's transaction, every event the filter
// selects, paging ignored.
func (s *Store) selectEvents(ctx context.Context, q Querier, filter weir.EventFilter) ([]*weir.Event, error) {
	opts := filter.ListOptions
	opts.Page, opts.PerPage = 0, 0
	cond, args, tail, _, err := s.eventClause(filter, opts)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE `+cond+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*weir.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if filter.Query == nil || filter.Query.Match(e) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// applyEventPatch applies p to e and writes e.
func applyEventPatch(ctx context.Context, q Querier, e *weir.Event, p weir.EventPatch, src weir.EventSource, now time.Time) error {
	var name string
	if p.DeviceID != nil && *p.DeviceID != "" {
		var err error
		if name, err = eventDeviceName(ctx, q, e.ApplicationID, *p.DeviceID); err != nil {
			return err
		}
	}
	if err := p.Apply(e, src, name, now); err != nil {
		return err
	}
	doc, err := marshal(e)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE events SET level = ?, state = ?, subject = ?, device_id = ?, last_updated = ?, doc = ?
		WHERE id = ?`, e.Level, e.State, e.Subject, e.DeviceID, millis(e.LastUpdated), doc, e.ID)
	return err
}

// eventDeviceName returns the name of the application's device id, or
// Validation when there is none.
func eventDeviceName(ctx context.Context, q Querier, applicationID, id string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM devices WHERE id = ? AND application_id = ?`, id, applicationID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", weir.Errorf(weir.Validation, "deviceId %s is not a device of the application", id)
	}
	return name, err
}

func errEventNotFound() error { return weir.Errorf(weir.NotFound, "Event was not found") }

func findEvent(ctx context.Context, q Querier, applicationID, id string) (*weir.Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ? AND application_id = ?`,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errEventNotFound()
	}
	return e, err
}

func scanEvent(s scanner) (*weir.Event, error) {
	var (
		id, appID, level, state, subject, deviceID, doc string
		created, updated                                int64
	)
	if err := s.Scan(&id, &appID, &level, &state, &subject, &deviceID, &created, &updated, &doc); err != nil {
		return nil, err
	}
	var e weir.Event
	if err := json.Unmarshal([]byte(doc), &e); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", id, err)
	}
	if e.EventTags == nil {
		e.EventTags = map[string]string{}
	}
	if e.Updates == nil {
		e.Updates = []weir.EventUpdate{}
	}
	e.CreationDate, e.LastUpdated = fromMillis(created), fromMillis(updated)
	return &e, nil
}

var _ weir.EventService = (*Store)(nil)
