package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testDeviceLog(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	other := mustCreateDevice(t, s, deviceOf(a.ID, "other"))
	now := ms(time.Now())
	on := weir.DeviceLogEntry{Connected: true, Time: now.Add(-2 * time.Minute), IPAddress: "192.0.2.7"}
	off := weir.DeviceLogEntry{Time: now.Add(-time.Minute), DisconnectReason: "Connection Lost",
		MessagesFromClient: 12, MessagesToClient: 3, IPAddress: "192.0.2.7"}
	again := weir.DeviceLogEntry{Connected: true, Time: now}
	for _, e := range []weir.DeviceLogEntry{on, off, again} {
		if _, err := s.SetConnectionStatus(t.Context(), a.ID, d.ID, e); err != nil {
			t.Fatalf("SetConnectionStatus: %v", err)
		}
	}
	if _, err := s.SetConnectionStatus(t.Context(), a.ID, other.ID, on); err != nil {
		t.Fatalf("SetConnectionStatus: %v", err)
	}
	tests := []struct {
		name   string
		filter weir.DeviceLogFilter
		want   []weir.DeviceLogEntry
	}{
		{"LatestByDefault", weir.DeviceLogFilter{}, []weir.DeviceLogEntry{again}},
		{"NewestFirst", weir.DeviceLogFilter{Limit: 10}, []weir.DeviceLogEntry{again, off, on}},
		{"Ascending", weir.DeviceLogFilter{Limit: 2, Ascending: true}, []weir.DeviceLogEntry{on, off}},
		{"Since", weir.DeviceLogFilter{Limit: 10, Start: off.Time}, []weir.DeviceLogEntry{again, off}},
		{"Window", weir.DeviceLogFilter{Limit: 10, Start: on.Time, End: off.Time}, []weir.DeviceLogEntry{off, on}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.ApplicationID, f.DeviceID = a.ID, d.ID
			got, err := s.FindDeviceLogEntries(t.Context(), f)
			if err != nil {
				t.Fatalf("FindDeviceLogEntries: %v", err)
			}
			checkDiff(t, "log entries", got, tc.want)
		})
	}
	t.Run("ErrDeviceNotFound", func(t *testing.T) {
		_, err := s.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: a.ID, DeviceID: "5a1b2c3d4e5f60718293a4b5"})
		checkError(t, err, weir.NotFound, "Device was not found")
		b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
		_, err = s.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: b.ID, DeviceID: d.ID})
		checkError(t, err, weir.NotFound, "Device was not found")
	})
	t.Run("GoneWithDevice", func(t *testing.T) {
		if err := s.DeleteDevice(t.Context(), a.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		mustCreateDevice(t, s, &weir.Device{ID: d.ID, ApplicationID: a.ID, Name: "dev", DeviceClass: weir.DeviceStandalone})
		got, err := s.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "log of a new device with the old id", got, []weir.DeviceLogEntry{})
	})
}

// testDeviceLogBounded checks that a device keeps only its newest
// weir.MaxDeviceLogEntries entries.
func testDeviceLogBounded(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	start := ms(time.Now()).Add(-time.Hour)
	n := weir.MaxDeviceLogEntries + 5
	for i := range n {
		e := weir.DeviceLogEntry{Connected: i%2 == 0, Time: start.Add(time.Duration(i) * time.Second)}
		if _, err := s.SetConnectionStatus(t.Context(), a.ID, d.ID, e); err != nil {
			t.Fatalf("SetConnectionStatus %d: %v", i, err)
		}
	}
	got, err := s.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: a.ID, DeviceID: d.ID,
		Limit: n, Ascending: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != weir.MaxDeviceLogEntries {
		t.Fatalf("kept %d entries, want %d", len(got), weir.MaxDeviceLogEntries)
	}
	if want := start.Add(5 * time.Second); !got[0].Time.Equal(want) {
		t.Fatalf("oldest kept entry at %v, want %v (the 5 oldest deleted)", got[0].Time, want)
	}
}
