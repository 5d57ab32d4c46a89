package mock

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// Events is an in-memory weir.EventService for tests of the layers above
// the stores (the SQL stores pass the same contract in store/storetest).
// Devices, when set, names the devices events may link (by id); Now, when
// set, is the clock.
type Events struct {
	Devices map[string]string // device id -> name, all of the application
	Now     func() time.Time
	NewID   func() string // ids of new events; nil: weir.NewID

	mu     sync.Mutex
	events []*weir.Event
}

// Snapshot returns a deep copy of the events held, in creation order.
func (m *Events) Snapshot() []*weir.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*weir.Event, 0, len(m.events))
	for _, e := range m.events {
		out = append(out, cloneEvent(e))
	}
	return out
}

// Restore replaces the events held with a copy of es.
func (m *Events) Restore(es []*weir.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = m.events[:0]
	for _, e := range es {
		m.events = append(m.events, cloneEvent(e))
	}
}

func cloneEvent(e *weir.Event) *weir.Event {
	b, _ := json.Marshal(e)
	var c weir.Event
	_ = json.Unmarshal(b, &c)
	return &c
}

func (m *Events) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (m *Events) deviceName(id string) (string, error) {
	name, ok := m.Devices[id]
	if !ok {
		return "", weir.Errorf(weir.Validation, "deviceId %s is not a device of the application", id)
	}
	return name, nil
}

// FindEventByID returns a copy of the event, or NotFound.
func (m *Events) FindEventByID(_ context.Context, applicationID, id string) (*weir.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.events {
		if e.ID == id && e.ApplicationID == applicationID {
			return cloneEvent(e), nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Event was not found")
}

// FindEvents returns copies of the page the filter selects, sorted by its
// sort field (creation date by default).
func (m *Events) FindEvents(_ context.Context, f weir.EventFilter) ([]*weir.Event, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.Event
	for _, e := range m.events {
		if f.Matches(e) {
			out = append(out, cloneEvent(e))
		}
	}
	key := func(e *weir.Event) string {
		switch f.SortField {
		case "subject":
			return strings.ToLower(e.Subject)
		case "id":
			return e.ID
		case "level":
			return e.Level
		case "state":
			return e.State
		case "deviceId":
			return e.DeviceID
		case "lastUpdated":
			return e.LastUpdated.Format(sortableTime)
		case "", "creationDate":
			return e.CreationDate.Format(sortableTime)
		}
		return ""
	}
	slices.SortStableFunc(out, func(a, b *weir.Event) int {
		c := strings.Compare(key(a), key(b))
		if f.SortDirection == "desc" {
			return -c
		}
		return c
	})
	n := len(out)
	if f.PerPage > 0 {
		start := min(f.Page*f.PerPage, n)
		out = out[start:min(start+f.PerPage, n)]
	}
	return out, n, nil
}

// CreateEvent stores a copy of e with a new id.
func (m *Events) CreateEvent(_ context.Context, e *weir.Event) error {
	if e.State == "" {
		e.State = weir.EventNew
	}
	if e.EventTags == nil {
		e.EventTags = map[string]string{}
	}
	if err := e.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.DeviceID != "" {
		name, err := m.deviceName(e.DeviceID)
		if err != nil {
			return err
		}
		e.DeviceName = name
	}
	now := m.now()
	e.ID, e.LastUpdated, e.Updates = weir.NewID(), now, []weir.EventUpdate{}
	if m.NewID != nil {
		e.ID = m.NewID()
	}
	if e.CreationDate.IsZero() {
		e.CreationDate = now
	}
	m.events = append(m.events, cloneEvent(e))
	return nil
}

// UpdateEvent applies p to one event.
func (m *Events) UpdateEvent(ctx context.Context, applicationID, id string, p weir.EventPatch, src weir.EventSource) (*weir.Event, *weir.Event, error) {
	old, updated, err := m.update(weir.EventFilter{ApplicationID: applicationID}, id, p, src)
	if err != nil {
		return nil, nil, err
	}
	if len(updated) == 0 {
		return nil, nil, weir.Errorf(weir.NotFound, "Event was not found")
	}
	return old[0], updated[0], nil
}

// UpdateEvents applies p to every event the filter selects.
func (m *Events) UpdateEvents(_ context.Context, f weir.EventFilter, p weir.EventPatch, src weir.EventSource) ([]*weir.Event, []*weir.Event, error) {
	return m.update(f, "", p, src)
}

// update applies p to the events f selects (only id, when given), all or
// none.
func (m *Events) update(f weir.EventFilter, id string, p weir.EventPatch, src weir.EventSource) (old, updated []*weir.Event, err error) {
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var name string
	if p.DeviceID != nil && *p.DeviceID != "" {
		if name, err = m.deviceName(*p.DeviceID); err != nil {
			return nil, nil, err
		}
	}
	now := m.now()
	var idx []int
	for i, e := range m.events {
		if (id == "" || e.ID == id) && f.Matches(e) {
			c := cloneEvent(e)
			if err := p.Apply(c, src, name, now); err != nil {
				return nil, nil, err
			}
			old, updated, idx = append(old, cloneEvent(e)), append(updated, c), append(idx, i)
		}
	}
	for j, i := range idx {
		m.events[i] = cloneEvent(updated[j])
	}
	return old, updated, nil
}

// DeleteEvent removes one event.
func (m *Events) DeleteEvent(_ context.Context, applicationID, id string) error {
	n := m.remove(weir.EventFilter{ApplicationID: applicationID}, id)
	if n == 0 {
		return weir.Errorf(weir.NotFound, "Event was not found")
	}
	return nil
}

// DeleteEvents removes the events the filter selects.
func (m *Events) DeleteEvents(_ context.Context, f weir.EventFilter) (int, error) {
	return m.remove(f, ""), nil
}

func (m *Events) remove(f weir.EventFilter, id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	before := len(m.events)
	m.events = slices.DeleteFunc(m.events, func(e *weir.Event) bool { return (id == "" || e.ID == id) && f.Matches(e) })
	return before - len(m.events)
}

var _ weir.EventService = (*Events)(nil)

// sortableTime formats UTC times so that text order is time order.
const sortableTime = "2006-01-02T15:04:05.000000000Z"
