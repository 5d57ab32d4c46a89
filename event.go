package weir

import (
	"context"
	"encoding/json"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// Event levels, as Losant names them, from least to most severe.
const (
	EventInfo     = "info"
	EventWarning  = "warning"
	EventError    = "error"
	EventCritical = "critical"
)

// Event states, as Losant names them.
const (
	EventNew          = "new"
	EventAcknowledged = "acknowledged"
	EventResolved     = "resolved"
)

// Event sources (sourceType), as Losant names them.
const (
	EventSourceFlow     = "flow"
	EventSourceUser     = "user"
	EventSourceDevice   = "device"
	EventSourceAPIToken = "apiToken"
)

// Limits of an event's fields, from Losant's event schema, and of event
// creation.
const (
	MaxEventSubject = 255
	MaxEventMessage = 32767
	MaxEventTags    = 100
	// MaxEventUpdates is how many updates an event keeps: the oldest go
	// first.
	MaxEventUpdates = 100
	// DefaultEventLimit is Losant's limit of event creation: one event per
	// second per application.
	DefaultEventLimit = 1
)

// Event is something that happened in an application that someone should
// look at: a level, a subject, a state that moves from new through
// acknowledged to resolved, and the updates that moved it.
type Event struct {
	ID            string            `json:"id"`
	ApplicationID string            `json:"applicationId"`
	Level         string            `json:"level"`
	State         string            `json:"state"`
	Subject       string            `json:"subject"`
	Message       string            `json:"message,omitempty"`
	Data          json.RawMessage   `json:"data,omitempty"` // nil: none
	DeviceID      string            `json:"deviceId,omitempty"`
	DeviceName    string            `json:"deviceName,omitempty"`
	EventTags     map[string]string `json:"eventTags"`
	EventSource
	Updates      []EventUpdate `json:"updates"`
	CreationDate time.Time     `json:"creationDate"`
	LastUpdated  time.Time     `json:"lastUpdated"`
}

// EventSource is who created or changed an event.
type EventSource struct {
	SourceType string `json:"sourceType,omitempty"`
	SourceID   string `json:"sourceId,omitempty"`
	SourceName string `json:"sourceName,omitempty"`
}

// EventUpdate is one change of an event: who made it, when, its comment and
// data, and what changed from what.
type EventUpdate struct {
	EventSource
	CreationDate   time.Time              `json:"creationDate"`
	Comment        string                 `json:"comment,omitempty"`
	Data           json.RawMessage        `json:"data,omitempty"`
	State          string                 `json:"state"`
	StateChange    *EventChange           `json:"stateChange,omitempty"`
	LevelChange    *EventChange           `json:"levelChange,omitempty"`
	SubjectChange  *EventChange           `json:"subjectChange,omitempty"`
	DeviceIDChange *EventDeviceChange     `json:"deviceIdChange,omitempty"`
	TagsChange     map[string]EventChange `json:"tagsChange,omitempty"`
}

// EventChange is a field's old and new value.
type EventChange struct {
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// EventDeviceChange is an event's old and new device.
type EventDeviceChange struct {
	Old           string `json:"old,omitempty"`
	OldDeviceName string `json:"oldDeviceName,omitempty"`
	New           string `json:"new,omitempty"`
	NewDeviceName string `json:"newDeviceName,omitempty"`
}

// ValidEventLevel reports whether s is one of Losant's event levels.
func ValidEventLevel(s string) bool {
	return s == EventInfo || s == EventWarning || s == EventError || s == EventCritical
}

// ValidEventState reports whether s is one of Losant's event states.
func ValidEventState(s string) bool {
	return s == EventNew || s == EventAcknowledged || s == EventResolved
}

// EventSeverity ranks a level: 0 for info up to 3 for critical, -1 for
// anything else.
func EventSeverity(level string) int {
	return slices.Index([]string{EventInfo, EventWarning, EventError, EventCritical}, level)
}

// Validate checks the structural rules of an event as Losant's schema has
// them: level, state, subject, message, device id and tags.
func (e *Event) Validate() error {
	if !ValidEventLevel(e.Level) {
		return Errorf(Validation, "level must be one of info, warning, error, critical")
	}
	if !ValidEventState(e.State) {
		return Errorf(Validation, "state must be one of new, acknowledged, resolved")
	}
	if n := len([]rune(e.Subject)); n < 1 || n > MaxEventSubject {
		return Errorf(Validation, "subject must be between 1 and %d characters", MaxEventSubject)
	}
	if len([]rune(e.Message)) > MaxEventMessage {
		return Errorf(Validation, "message is longer than %d characters", MaxEventMessage)
	}
	if e.DeviceID != "" && !ValidID(e.DeviceID) {
		return Errorf(Validation, "deviceId pattern mismatch")
	}
	return validEventTags(e.EventTags)
}

func validEventTags(tags map[string]string) error {
	if len(tags) > MaxEventTags {
		return Errorf(Validation, "eventTags has more than %d keys", MaxEventTags)
	}
	for k, v := range tags {
		if !validTagKey(k) {
			return Errorf(Validation, "eventTags key %q pattern mismatch", k)
		}
		if n := len([]rune(v)); n < 1 || n > 255 {
			return Errorf(Validation, "eventTags.%s must be between 1 and 255 characters", k)
		}
	}
	return nil
}

// EventPatch is a change to one or many events; nil fields stay as they
// are. DeviceID "" unlinks the event's device. EventTags are merged into
// the event's: a key with the value "" is removed.
type EventPatch struct {
	State     *string
	Level     *string
	Subject   *string
	DeviceID  *string
	Comment   *string
	Data      json.RawMessage // nil: none
	EventTags map[string]string
}

// Apply changes e as p says on behalf of src at now, and records the change
// as an update (only the latest MaxEventUpdates are kept). deviceName is
// the name of the device p links, if it links one. The result is
// validated; e is unchanged when it is not valid.
func (p *EventPatch) Apply(e *Event, src EventSource, deviceName string, now time.Time) error {
	next := *e
	next.EventTags = maps.Clone(e.EventTags)
	if next.EventTags == nil {
		next.EventTags = map[string]string{}
	}
	u := EventUpdate{EventSource: src, CreationDate: now, Data: p.Data}
	if p.Comment != nil {
		u.Comment = *p.Comment
	}
	if p.State != nil && *p.State != e.State {
		u.StateChange = &EventChange{Old: e.State, New: *p.State}
		next.State = *p.State
	}
	if p.Level != nil && *p.Level != e.Level {
		u.LevelChange = &EventChange{Old: e.Level, New: *p.Level}
		next.Level = *p.Level
	}
	if p.Subject != nil && *p.Subject != e.Subject {
		u.SubjectChange = &EventChange{Old: e.Subject, New: *p.Subject}
		next.Subject = *p.Subject
	}
	if p.DeviceID != nil && *p.DeviceID != e.DeviceID {
		u.DeviceIDChange = &EventDeviceChange{Old: e.DeviceID, OldDeviceName: e.DeviceName, New: *p.DeviceID, NewDeviceName: deviceName}
		next.DeviceID, next.DeviceName = *p.DeviceID, deviceName
	}
	for k, v := range p.EventTags {
		if old := next.EventTags[k]; old != v {
			if u.TagsChange == nil {
				u.TagsChange = map[string]EventChange{}
			}
			u.TagsChange[k] = EventChange{Old: old, New: v}
		}
		if v == "" {
			delete(next.EventTags, k)
		} else {
			next.EventTags[k] = v
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	u.State = next.State
	next.Updates = append(slices.Clone(e.Updates), u)
	if n := len(next.Updates); n > MaxEventUpdates {
		next.Updates = next.Updates[n-MaxEventUpdates:]
	}
	next.LastUpdated = now
	*e = next
	return nil
}

// Validate checks p's fields as Losant's eventPatch schema does.
func (p *EventPatch) Validate() error {
	if p.State != nil && !ValidEventState(*p.State) {
		return Errorf(Validation, "state must be one of new, acknowledged, resolved")
	}
	if p.Level != nil && !ValidEventLevel(*p.Level) {
		return Errorf(Validation, "level must be one of info, warning, error, critical")
	}
	if p.Subject != nil {
		if n := len([]rune(*p.Subject)); n < 1 || n > MaxEventSubject {
			return Errorf(Validation, "subject must be between 1 and %d characters", MaxEventSubject)
		}
	}
	if p.DeviceID != nil && *p.DeviceID != "" && !ValidID(*p.DeviceID) {
		return Errorf(Validation, "deviceId pattern mismatch")
	}
	if p.Comment != nil && len([]rune(*p.Comment)) > MaxEventMessage {
		return Errorf(Validation, "comment is longer than %d characters", MaxEventMessage)
	}
	return nil
}

// EventFilter selects events of one application. Every set condition must
// hold.
type EventFilter struct {
	ApplicationID string
	State         string      // "": any state
	Query         *EventQuery // nil: none; else the event must match it
	ListOptions               // SortField creationDate (default), subject, id, lastUpdated, level, state, deviceId; FilterField subject
}

// EventService manages an application's events. Deleting an application
// deletes its events; deleting a device leaves its events, which keep its
// id and name.
type EventService interface {
	// FindEventByID returns NotFound ("Event was not found") unless the
	// application has an event with that id.
	FindEventByID(ctx context.Context, applicationID, id string) (*Event, error)

	// FindEvents returns one page of the events the filter selects and the
	// number selected across pages. An unknown sort or filter field returns
	// Validation.
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, int, error)

	// CreateEvent stores a new event; it sets ID, State (new unless set),
	// DeviceName, LastUpdated, and CreationDate unless set. It returns
	// Validation when e does not validate or its device is not one of the
	// application's, and NotFound ("Application was not found") when its
	// application does not exist.
	CreateEvent(ctx context.Context, e *Event) error

	// UpdateEvent applies p to the event on behalf of src and returns the
	// event before and after. It returns NotFound like FindEventByID and
	// Validation like CreateEvent; nothing changes then.
	UpdateEvent(ctx context.Context, applicationID, id string, p EventPatch, src EventSource) (old, updated *Event, err error)

	// UpdateEvents applies p to every event the filter selects (paging
	// ignored), in one transaction, and returns each before and after.
	UpdateEvents(ctx context.Context, filter EventFilter, p EventPatch, src EventSource) (old, updated []*Event, err error)

	// DeleteEvent removes the event. It returns NotFound like FindEventByID.
	DeleteEvent(ctx context.Context, applicationID, id string) error

	// DeleteEvents removes every event the filter selects (paging ignored)
	// and returns how many.
	DeleteEvents(ctx context.Context, filter EventFilter) (int, error)
}

// EventHandler hears of events created or changed, once committed. The
// Event trigger starts runs from these calls; an error means the runs could
// not be queued.
type EventHandler interface {
	// EventsChanged is called with events after they were created (their
	// old entry nil) or updated (old[i] is events[i] before), one call per
	// creation, update or bulk update.
	EventsChanged(ctx context.Context, old, events []*Event) error
}

// MostSevere returns the event of events that comes first by severity (most
// severe level), then by creation (most recent), or nil when there is none.
func MostSevere(events []*Event) *Event {
	var best *Event
	for _, e := range events {
		if best == nil {
			best = e
			continue
		}
		s, b := EventSeverity(e.Level), EventSeverity(best.Level)
		if s > b || s == b && e.CreationDate.After(best.CreationDate) {
			best = e
		}
	}
	return best
}

// SubjectMatches reports whether subject matches Losant's subject pattern:
// case-insensitive, '*' any run of characters and '?' any one character;
// "" matches every subject.
func SubjectMatches(pattern, subject string) bool {
	if pattern == "" {
		return true
	}
	// path.Match's '*' stops at '/': neither side keeps one.
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, "/", "\x00")
	ok, err := path.Match(strings.ToLower(r.Replace(pattern)), strings.ToLower(strings.ReplaceAll(subject, "/", "\x00")))
	return err == nil && ok
}
