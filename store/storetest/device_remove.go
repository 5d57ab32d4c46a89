package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// testRemoveSelectedData pins down removeData's selections: attributes
// limit the state removed (a report left empty goes; the latest values
// fall back to the newest report left), and the connection log and
// commands stay when kept.
func testRemoveSelectedData(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	now := ms(time.Now())
	t1, t2, t3 := now.Add(-3*time.Minute), now.Add(-2*time.Minute), now.Add(-time.Minute)
	mustAddStates(t, s, d,
		weir.DeviceState{Time: t1, Data: map[string]any{"temp": 1.0, "label": "a"}},
		weir.DeviceState{Time: t2, Data: map[string]any{"temp": 2.0}},
		weir.DeviceState{Time: t3, Data: map[string]any{"label": "c", "on": true}})
	for _, at := range []time.Time{t1, t3} {
		if _, err := s.SetConnectionStatus(ctx, a.ID, d.ID, weir.DeviceLogEntry{Connected: true, Time: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddDeviceCommand(ctx, a.ID, d.ID, &weir.DeviceCommand{Name: "c", Time: at}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, states []weir.DeviceState, composite weir.CompositeState, logs, commands int) {
		t.Helper()
		got, err := s.FindDeviceStates(ctx, weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, what+": states", got, states)
		c, err := s.FindCompositeState(ctx, weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, what+": composite state", c, composite)
		l, err := s.FindDeviceLogEntries(ctx, weir.DeviceLogFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
		if err != nil || len(l) != logs {
			t.Fatalf("%s: connection log = %v, %v; want %d entries", what, l, err, logs)
		}
		cmds, err := s.FindDeviceCommands(ctx, weir.CommandFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
		if err != nil || len(cmds) != commands {
			t.Fatalf("%s: commands = %v, %v; want %d", what, cmds, err, commands)
		}
	}
	state := func(at time.Time, data map[string]any) weir.DeviceState {
		return weir.DeviceState{DeviceID: d.ID, Time: at, Data: data}
	}

	// temp from t2 on: the report at t2 goes, temp's latest falls back to t1.
	err := s.RemoveDeviceData(ctx, a.ID, d.ID, weir.DataRemoval{Start: t2, Attributes: []string{"temp"},
		KeepConnectionHistory: true, KeepCommandHistory: true})
	if err != nil {
		t.Fatalf("RemoveDeviceData(temp): %v", err)
	}
	check("temp removed from t2", []weir.DeviceState{
		state(t3, map[string]any{"label": "c", "on": true}),
		state(t1, map[string]any{"temp": 1.0, "label": "a"}),
	}, weir.CompositeState{"temp": {Value: 1.0, Time: t1}, "label": {Value: "c", Time: t3}, "on": {Value: true, Time: t3}}, 2, 2)

	// An empty list removes no state; the connection log goes.
	if err := s.RemoveDeviceData(ctx, a.ID, d.ID, weir.DataRemoval{Attributes: []string{}, KeepCommandHistory: true}); err != nil {
		t.Fatal(err)
	}
	check("no attribute", []weir.DeviceState{
		state(t3, map[string]any{"label": "c", "on": true}),
		state(t1, map[string]any{"temp": 1.0, "label": "a"}),
	}, weir.CompositeState{"temp": {Value: 1.0, Time: t1}, "label": {Value: "c", Time: t3}, "on": {Value: true, Time: t3}}, 0, 2)

	// label everywhere: no latest label is left; the commands within the
	// window go.
	if err := s.RemoveDeviceData(ctx, a.ID, d.ID, weir.DataRemoval{Attributes: []string{"label"}, End: t2}); err != nil {
		t.Fatal(err)
	}
	check("label removed up to t2", []weir.DeviceState{
		state(t3, map[string]any{"label": "c", "on": true}),
		state(t1, map[string]any{"temp": 1.0}),
	}, weir.CompositeState{"temp": {Value: 1.0, Time: t1}, "label": {Value: "c", Time: t3}, "on": {Value: true, Time: t3}}, 0, 1)
	if err := s.RemoveDeviceData(ctx, a.ID, d.ID, weir.DataRemoval{Attributes: []string{"label", "unknown"}}); err != nil {
		t.Fatal(err)
	}
	check("label removed", []weir.DeviceState{
		state(t3, map[string]any{"on": true}),
		state(t1, map[string]any{"temp": 1.0}),
	}, weir.CompositeState{"temp": {Value: 1.0, Time: t1}, "on": {Value: true, Time: t3}}, 0, 0)

	checkError(t, s.RemoveDeviceData(ctx, a.ID, "5a1b2c3d4e5f60718293a4b5", weir.DataRemoval{}), weir.NotFound, "Device was not found")
}
