package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// InactivityStore is a device store that also keeps the marks of the
// device inactivity triggers.
type InactivityStore interface {
	DeviceStore
	weir.InactivityService
}

// RunInactivity runs the device inactivity suite. open must return a new,
// empty store for each call and close it in t.Cleanup.
//
// Besides InactivityService's contract, the suite pins down: the last
// activity survives pruning the history; a silence begun but not ended is
// still to be fired (a crash between the two fires it again, never not at
// all); marks go with their flow and device.
func RunInactivity(t *testing.T, open func(t *testing.T) InactivityStore) {
	t.Run("LastActivityOK", func(t *testing.T) { testLastActivity(t, open) })
	t.Run("MarksOK", func(t *testing.T) { testInactivityMarks(t, open) })
}

func testLastActivity(t *testing.T, open func(t *testing.T) InactivityStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	d1 := mustCreateDevice(t, s, deviceOf(a.ID, "d1"))
	mustCreateDevice(t, s, deviceOf(a.ID, "silent"))
	d3 := mustCreateDevice(t, s, deviceOf(other.ID, "d3"))
	now := ms(time.Now())
	mustAddStates(t, s, d1, weir.DeviceState{Time: now.Add(-time.Hour), Data: map[string]any{"temp": 1.0}},
		weir.DeviceState{Time: now.Add(-time.Minute), Data: map[string]any{"label": "x"}})
	mustAddStates(t, s, d3, weir.DeviceState{Time: now, Data: map[string]any{"temp": 1.0}})
	if _, err := s.PruneDeviceStates(t.Context(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindLastActivity(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "last activity", got, map[string]time.Time{d1.ID: now.Add(-time.Minute)})
}

func testInactivityMarks(t *testing.T, open func(t *testing.T) InactivityStore) {
	s := open(t)
	f := mustAppFlow(t, s)
	d := mustCreateDevice(t, s, deviceOf(f.ApplicationID, "d"))
	at := ms(time.Now().Add(-time.Hour))
	m := weir.InactivityMark{FlowID: f.ID, TriggerKey: d.ID, DeviceID: d.ID, Seconds: 60, LastActivity: at}
	begin := func(m weir.InactivityMark, want bool) {
		t.Helper()
		got, err := s.BeginInactivity(t.Context(), m)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("BeginInactivity(%v) = %v, want %v", m, got, want)
		}
	}
	begin(m, true)
	begin(m, true) // begun, not ended: still to fire
	if err := s.EndInactivity(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	begin(m, false)
	m2 := m
	m2.LastActivity = at.Add(time.Minute)
	begin(m2, true) // a new silence
	m3 := m2
	m3.Seconds = 120
	begin(m3, true) // the trigger's seconds changed
	if err := s.EndInactivity(t.Context(), m2); err != nil {
		t.Fatal(err)
	}
	begin(m3, true) // ending an older silence leaves the new one alone

	if err := s.DeleteDevice(t.Context(), f.ApplicationID, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.BeginInactivity(t.Context(), m)
	checkError(t, err, weir.NotFound, "")
}
