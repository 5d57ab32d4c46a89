package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// EventStore is a store that also keeps devices and events.
type EventStore interface {
	Store
	weir.DeviceService
	weir.EventService
}

// RunEvents runs the event suite. open must return a new, empty store for
// each call and close it in t.Cleanup.
//
// Besides the service's documented contracts, the suite pins down: an
// event's device name is looked up when it is linked; subjects sort
// case-insensitively; a bulk update or delete by query changes only what
// the query selects, in the application given; deleting an application
// deletes its events, deleting a device keeps them.
func RunEvents(t *testing.T, open func(t *testing.T) EventStore) {
	t.Run("CreateFindOK", func(t *testing.T) { testEventCreateFind(t, open) })
	t.Run("Create", func(t *testing.T) { testEventCreateErrors(t, open) })
	t.Run("List", func(t *testing.T) { testEventList(t, open) })
	t.Run("Update", func(t *testing.T) { testEventUpdate(t, open) })
	t.Run("Bulk", func(t *testing.T) { testEventBulk(t, open) })
	t.Run("Delete", func(t *testing.T) { testEventDelete(t, open) })
}

func mustCreateEvent(t *testing.T, s EventStore, e *weir.Event) *weir.Event {
	t.Helper()
	if err := s.CreateEvent(t.Context(), e); err != nil {
		t.Fatalf("CreateEvent(%q): %v", e.Subject, err)
	}
	return e
}

func mustEventQuery(t *testing.T, text string) *weir.EventQuery {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	q, err := weir.ParseEventQuery(v)
	if err != nil {
		t.Fatalf("ParseEventQuery(%s): %v", text, err)
	}
	return q
}

func eventSubjects(es []*weir.Event) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Subject)
	}
	return out
}

func testEventCreateFind(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := &weir.Device{ApplicationID: a.ID, Name: "Boiler", DeviceClass: weir.DeviceStandalone}
	if err := s.CreateDevice(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	e := mustCreateEvent(t, s, &weir.Event{
		ApplicationID: a.ID, Level: weir.EventError, Subject: "Pressure – high", Message: "**bar**",
		Data: json.RawMessage(`{"bar": 9.5}`), DeviceID: d.ID, EventTags: map[string]string{"zone": "a"},
		EventSource:  weir.EventSource{SourceType: weir.EventSourceFlow, SourceID: "5a1b2c3d4e5f60718293a4b5", SourceName: "Alerts"},
		CreationDate: at,
	})
	if !weir.ValidID(e.ID) || e.State != weir.EventNew || e.DeviceName != "Boiler" || !e.CreationDate.Equal(at) {
		t.Fatalf("created = id %q state %q device %q created %v", e.ID, e.State, e.DeviceName, e.CreationDate)
	}
	checkTimeSet(t, "LastUpdated", e.LastUpdated)
	got, err := s.FindEventByID(t.Context(), a.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "event", got, e)

	_, err = s.FindEventByID(t.Context(), a.ID, weir.NewID())
	checkError(t, err, weir.NotFound, "Event was not found")
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	_, err = s.FindEventByID(t.Context(), other.ID, e.ID)
	checkError(t, err, weir.NotFound, "Event was not found")
}

func testEventCreateErrors(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	d := &weir.Device{ApplicationID: other.ID, Name: "Elsewhere", DeviceClass: weir.DeviceStandalone}
	if err := s.CreateDevice(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*weir.Event{
		"no level":       {ApplicationID: a.ID, Subject: "s"},
		"bad level":      {ApplicationID: a.ID, Level: "fatal", Subject: "s"},
		"bad state":      {ApplicationID: a.ID, Level: weir.EventInfo, State: "closed", Subject: "s"},
		"empty subject":  {ApplicationID: a.ID, Level: weir.EventInfo},
		"long subject":   {ApplicationID: a.ID, Level: weir.EventInfo, Subject: string(make([]rune, 256))},
		"bad tag":        {ApplicationID: a.ID, Level: weir.EventInfo, Subject: "s", EventTags: map[string]string{"a b": "c"}},
		"other's device": {ApplicationID: a.ID, Level: weir.EventInfo, Subject: "s", DeviceID: d.ID},
	} {
		t.Run(name, func(t *testing.T) {
			checkError(t, s.CreateEvent(t.Context(), e), weir.Validation, "")
		})
	}
	err := s.CreateEvent(t.Context(), &weir.Event{ApplicationID: weir.NewID(), Level: weir.EventInfo, Subject: "s"})
	checkError(t, err, weir.NotFound, "Application was not found")
	es, n, err := s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID})
	if err != nil || n != 0 || len(es) != 0 {
		t.Fatalf("after refused creates: %d events, %v", n, err)
	}
}

func testEventList(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, e := range []*weir.Event{
		{Level: weir.EventInfo, Subject: "door open", EventTags: map[string]string{"zone": "a"}},
		{Level: weir.EventCritical, Subject: "Fire", State: weir.EventAcknowledged},
		{Level: weir.EventWarning, Subject: "door Jammed", EventTags: map[string]string{"zone": "b"}},
		{Level: weir.EventError, Subject: "power", State: weir.EventResolved},
	} {
		e.ApplicationID, e.CreationDate = a.ID, base.Add(time.Duration(i)*time.Hour)
		mustCreateEvent(t, s, e)
	}
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	mustCreateEvent(t, s, &weir.Event{ApplicationID: other.ID, Level: weir.EventInfo, Subject: "door elsewhere"})

	for _, c := range []struct {
		name   string
		filter weir.EventFilter
		want   []string
		total  int
	}{
		{"newest first", weir.EventFilter{ListOptions: weir.ListOptions{SortDirection: "desc"}},
			[]string{"power", "door Jammed", "Fire", "door open"}, 4},
		{"subject folded", weir.EventFilter{ListOptions: weir.ListOptions{SortField: "subject"}},
			[]string{"door Jammed", "door open", "Fire", "power"}, 4},
		{"page", weir.EventFilter{ListOptions: weir.ListOptions{PerPage: 2, Page: 1}},
			[]string{"door Jammed", "power"}, 4},
		{"state", weir.EventFilter{State: weir.EventNew}, []string{"door open", "door Jammed"}, 2},
		{"subject glob", weir.EventFilter{ListOptions: weir.ListOptions{Filter: "DOOR*"}},
			[]string{"door open", "door Jammed"}, 2},
		{"query", weir.EventFilter{Query: mustEventQuery(t, `{"$or": [{"level": {"$in": ["critical", "error"]}}, {"eventTags": {"zone": "b"}}]}`),
			ListOptions: weir.ListOptions{PerPage: 2, Page: 1}}, []string{"power"}, 3},
		{"query dates", weir.EventFilter{Query: mustEventQuery(t, `{"creationDate": {"$gte": "2026-01-01T02:00:00Z"}, "subject": {"$contains": "o"}}`)},
			[]string{"door Jammed", "power"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.filter.ApplicationID = a.ID
			es, n, err := s.FindEvents(t.Context(), c.filter)
			if err != nil {
				t.Fatal(err)
			}
			checkDiff(t, "subjects", eventSubjects(es), c.want)
			if n != c.total {
				t.Fatalf("total = %d, want %d", n, c.total)
			}
		})
	}
	_, _, err := s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID, ListOptions: weir.ListOptions{SortField: "message"}})
	checkError(t, err, weir.Validation, "")
}

func testEventUpdate(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := &weir.Device{ApplicationID: a.ID, Name: "Pump", DeviceClass: weir.DeviceStandalone}
	if err := s.CreateDevice(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	e := mustCreateEvent(t, s, &weir.Event{ApplicationID: a.ID, Level: weir.EventWarning, Subject: "leak",
		EventTags: map[string]string{"zone": "a", "team": "x"}})
	state, comment, level := weir.EventAcknowledged, "on it", weir.EventError
	user := weir.EventSource{SourceType: weir.EventSourceUser, SourceID: "5a1b2c3d4e5f60718293a4b5"}
	old, got, err := s.UpdateEvent(t.Context(), a.ID, e.ID, weir.EventPatch{State: &state, Comment: &comment, Level: &level,
		DeviceID: &d.ID, EventTags: map[string]string{"team": "", "zone": "b"}, Data: json.RawMessage(`[1]`)}, user)
	if err != nil {
		t.Fatal(err)
	}
	if old.State != weir.EventNew || got.State != state || got.Level != level || got.DeviceName != "Pump" {
		t.Fatalf("update: old state %q, new %q/%q/%q", old.State, got.State, got.Level, got.DeviceName)
	}
	checkDiff(t, "tags", got.EventTags, map[string]string{"zone": "b"})
	if len(got.Updates) != 1 {
		t.Fatalf("updates = %d, want 1", len(got.Updates))
	}
	u := got.Updates[0]
	if u.Comment != comment || u.SourceType != weir.EventSourceUser || u.StateChange == nil || *u.StateChange != (weir.EventChange{Old: "new", New: "acknowledged"}) ||
		u.TagsChange["team"] != (weir.EventChange{Old: "x"}) || u.DeviceIDChange == nil || u.DeviceIDChange.NewDeviceName != "Pump" {
		t.Fatalf("update record = %+v", u)
	}
	stored, err := s.FindEventByID(t.Context(), a.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "stored", stored, got)

	// A refused update changes nothing.
	bad := ""
	_, _, err = s.UpdateEvent(t.Context(), a.ID, e.ID, weir.EventPatch{Subject: &bad}, user)
	checkError(t, err, weir.Validation, "")
	missing := weir.NewID()
	_, _, err = s.UpdateEvent(t.Context(), a.ID, e.ID, weir.EventPatch{DeviceID: &missing, Comment: &comment}, user)
	checkError(t, err, weir.Validation, "")
	_, _, err = s.UpdateEvent(t.Context(), a.ID, weir.NewID(), weir.EventPatch{Comment: &comment}, user)
	checkError(t, err, weir.NotFound, "Event was not found")
	after, _ := s.FindEventByID(t.Context(), a.ID, e.ID)
	checkDiff(t, "after refused updates", after, got)

	// Unlinking the device; only the latest updates are kept.
	none := ""
	for range weir.MaxEventUpdates + 2 {
		if _, got, err = s.UpdateEvent(t.Context(), a.ID, e.ID, weir.EventPatch{DeviceID: &none, Comment: &comment}, user); err != nil {
			t.Fatal(err)
		}
	}
	if got.DeviceID != "" || got.DeviceName != "" || len(got.Updates) != weir.MaxEventUpdates {
		t.Fatalf("after unlinking: device %q %q, %d updates", got.DeviceID, got.DeviceName, len(got.Updates))
	}
}

func testEventBulk(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	for _, subj := range []string{"a1", "a2", "b1"} {
		mustCreateEvent(t, s, &weir.Event{ApplicationID: a.ID, Level: weir.EventInfo, Subject: subj})
	}
	mustCreateEvent(t, s, &weir.Event{ApplicationID: other.ID, Level: weir.EventInfo, Subject: "a9"})
	resolved := weir.EventResolved
	filter := weir.EventFilter{ApplicationID: a.ID, Query: mustEventQuery(t, `{"subject": {"$startsWith": "a"}}`)}
	old, updated, err := s.UpdateEvents(t.Context(), filter, weir.EventPatch{State: &resolved}, weir.EventSource{SourceType: weir.EventSourceAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || len(updated) != 2 || old[0].State != weir.EventNew || updated[0].State != resolved {
		t.Fatalf("bulk update: %d old, %d updated", len(old), len(updated))
	}
	es, _, _ := s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID, State: resolved, ListOptions: weir.ListOptions{SortField: "subject"}})
	checkDiff(t, "resolved", eventSubjects(es), []string{"a1", "a2"})
	es, _, _ = s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: other.ID, State: weir.EventNew})
	checkDiff(t, "other application", eventSubjects(es), []string{"a9"})

	bad := "nope"
	_, _, err = s.UpdateEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID}, weir.EventPatch{Level: &bad}, weir.EventSource{})
	checkError(t, err, weir.Validation, "")

	n, err := s.DeleteEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID, State: resolved})
	if err != nil || n != 2 {
		t.Fatalf("DeleteEvents = %d, %v; want 2", n, err)
	}
	es, total, _ := s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID})
	if total != 1 || es[0].Subject != "b1" {
		t.Fatalf("after bulk delete: %v", eventSubjects(es))
	}
}

func testEventDelete(t *testing.T, open func(t *testing.T) EventStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := &weir.Device{ApplicationID: a.ID, Name: "Fan", DeviceClass: weir.DeviceStandalone}
	if err := s.CreateDevice(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	e := mustCreateEvent(t, s, &weir.Event{ApplicationID: a.ID, Level: weir.EventInfo, Subject: "x", DeviceID: d.ID})
	gone := mustCreateEvent(t, s, &weir.Event{ApplicationID: a.ID, Level: weir.EventInfo, Subject: "y"})
	if err := s.DeleteEvent(t.Context(), a.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	checkError(t, s.DeleteEvent(t.Context(), a.ID, gone.ID), weir.NotFound, "Event was not found")
	if err := s.DeleteDevice(t.Context(), a.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	kept, err := s.FindEventByID(t.Context(), a.ID, e.ID)
	if err != nil || kept.DeviceName != "Fan" {
		t.Fatalf("event of a deleted device: %v, %v", kept, err)
	}
	if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, n, err := s.FindEvents(t.Context(), weir.EventFilter{ApplicationID: a.ID})
	if err != nil || n != 0 {
		t.Fatalf("events of a deleted application: %d, %v", n, err)
	}
}
