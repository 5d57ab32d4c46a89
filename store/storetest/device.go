package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// DeviceStore is a store that also keeps devices, their state history and
// commands, and access keys.
type DeviceStore interface {
	Store
	weir.DeviceService
	weir.DeviceStateService
	weir.DeviceCommandService
	weir.DeviceLogService
	weir.DeviceRecipeService
	weir.ApplicationKeyService
}

// RunDevices runs the device suite. open must return a new, empty store for
// each call and close it in t.Cleanup.
//
// Besides the services' documented contracts, the suite pins down: names
// sort case-insensitively; a tag filter with only a key or only a value
// matches any value or key; attributes whose data type changes lose their
// latest value; deleting a device or its application deletes its history,
// commands and (with the application) access keys.
func RunDevices(t *testing.T, open func(t *testing.T) DeviceStore) {
	t.Run("CreateFindOK", func(t *testing.T) { testDeviceCreateFind(t, open) })
	t.Run("Create", func(t *testing.T) { testDeviceCreateErrors(t, open) })
	t.Run("List", func(t *testing.T) { testDeviceList(t, open) })
	t.Run("Update", func(t *testing.T) { testDeviceUpdate(t, open) })
	t.Run("Delete", func(t *testing.T) { testDeviceDelete(t, open) })
	t.Run("Hierarchy", func(t *testing.T) { testDeviceHierarchy(t, open) })
	t.Run("HierarchyConcurrentOK", func(t *testing.T) { testDeviceHierarchyConcurrent(t, open) })
	t.Run("ConnectionStatusOK", func(t *testing.T) { testDeviceConnection(t, open) })
	t.Run("ConnectionLog", func(t *testing.T) { testDeviceLog(t, open) })
	t.Run("ConnectionLogBoundedOK", func(t *testing.T) { testDeviceLogBounded(t, open) })
	t.Run("State", func(t *testing.T) { testDeviceState(t, open) })
	t.Run("CompositeState", func(t *testing.T) { testCompositeState(t, open) })
	t.Run("SameTimeBatchOK", func(t *testing.T) { testSameTimeBatch(t, open) })
	t.Run("RemoveDataOK", func(t *testing.T) { testRemoveDeviceData(t, open) })
	t.Run("RemoveDataSelectedOK", func(t *testing.T) { testRemoveSelectedData(t, open) })
	t.Run("PruneOK", func(t *testing.T) { testPruneDeviceStates(t, open) })
	t.Run("Command", func(t *testing.T) { testDeviceCommands(t, open) })
	t.Run("ApplicationKey", func(t *testing.T) { testApplicationKeys(t, open) })
	t.Run("Recipe", func(t *testing.T) { testDeviceRecipes(t, open) })
}

// deviceOf returns a valid standalone device named name with a number
// "temp", a string "label" and a boolean "on" attribute.
func deviceOf(appID, name string, tags ...weir.DeviceTag) *weir.Device {
	return &weir.Device{
		ApplicationID: appID,
		Name:          name,
		DeviceClass:   weir.DeviceStandalone,
		Tags:          tags,
		Attributes: []weir.DeviceAttribute{
			{Name: "temp", DataType: weir.AttributeNumber},
			{Name: "label", DataType: weir.AttributeString},
			{Name: "on", DataType: weir.AttributeBoolean},
		},
	}
}

func mustCreateDevice(t *testing.T, s DeviceStore, d *weir.Device) *weir.Device {
	t.Helper()
	if err := s.CreateDevice(t.Context(), d); err != nil {
		t.Fatalf("CreateDevice(%q): %v", d.Name, err)
	}
	return d
}

func mustAddStates(t *testing.T, s DeviceStore, d *weir.Device, states ...weir.DeviceState) []weir.DeviceState {
	t.Helper()
	kept, _, err := s.AddDeviceStates(t.Context(), d.ApplicationID, d.ID, states)
	if err != nil {
		t.Fatalf("AddDeviceStates: %v", err)
	}
	return kept
}

func testDeviceCreateFind(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := deviceOf(a.ID, "Thermostat – ünïcode", weir.DeviceTag{Key: "floor", Value: "8"}, weir.DeviceTag{Key: "floor", Value: "9"})
	d.Description = "on the wall"
	d.KeepDuplicates = true
	mustCreateDevice(t, s, d)
	if !weir.ValidID(d.ID) {
		t.Fatalf("ID = %q, want a generated id", d.ID)
	}
	checkTimeSet(t, "CreationDate", d.CreationDate)
	got, err := s.FindDeviceByID(t.Context(), a.ID, d.ID)
	if err != nil {
		t.Fatalf("FindDeviceByID: %v", err)
	}
	checkDiff(t, "device", got, d)
	if got.Connection.Connected != nil {
		t.Errorf("Connection.Connected = %v, want nil on a new device", *got.Connection.Connected)
	}
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	_, err = s.FindDeviceByID(t.Context(), other.ID, d.ID)
	checkError(t, err, weir.NotFound, "Device was not found")
}

func testDeviceCreateErrors(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	bad := deviceOf(a.ID, "")
	checkError(t, s.CreateDevice(t.Context(), bad), weir.Validation, "")
	badAttr := deviceOf(a.ID, "x")
	badAttr.Attributes = append(badAttr.Attributes, weir.DeviceAttribute{Name: "temp", DataType: weir.AttributeString})
	checkError(t, s.CreateDevice(t.Context(), badAttr), weir.Validation, "")
	checkError(t, s.CreateDevice(t.Context(), deviceOf("5a1b2c3d4e5f60718293a4b5", "x")), weir.NotFound, "Application was not found")
	d := mustCreateDevice(t, s, deviceOf(a.ID, "one"))
	dup := deviceOf(a.ID, "two")
	dup.ID = d.ID
	checkError(t, s.CreateDevice(t.Context(), dup), weir.Validation, "")
	ds, n, err := s.FindDevices(t.Context(), weir.DeviceFilter{ApplicationID: a.ID})
	if err != nil || n != 1 || len(ds) != 1 {
		t.Fatalf("FindDevices after failed creates = %d devices, total %d, %v; want 1", len(ds), n, err)
	}
}

func testDeviceList(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	mustCreateDevice(t, s, deviceOf(b.ID, "alpha", weir.DeviceTag{Key: "floor", Value: "8"}))
	beta := mustCreateDevice(t, s, deviceOf(a.ID, "Beta", weir.DeviceTag{Key: "floor", Value: "8"}, weir.DeviceTag{Key: "kind", Value: "pump"}))
	alpha := mustCreateDevice(t, s, deviceOf(a.ID, "alpha", weir.DeviceTag{Key: "floor", Value: "9"}))
	gw := deviceOf(a.ID, "gamma gateway", weir.DeviceTag{Key: "kind", Value: "8"})
	gw.DeviceClass = weir.DeviceGateway
	gamma := mustCreateDevice(t, s, gw)

	names := func(ds []*weir.Device) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	tests := []struct {
		name      string
		filter    weir.DeviceFilter
		want      []string
		wantTotal int
	}{
		{"AllByName", weir.DeviceFilter{}, []string{"alpha", "Beta", "gamma gateway"}, 3},
		{"Desc", weir.DeviceFilter{ListOptions: weir.ListOptions{SortDirection: "desc"}}, []string{"gamma gateway", "Beta", "alpha"}, 3},
		{"Page", weir.DeviceFilter{ListOptions: weir.ListOptions{Page: 1, PerPage: 2}}, []string{"gamma gateway"}, 3},
		{"FilterGlob", weir.DeviceFilter{ListOptions: weir.ListOptions{FilterField: "name", Filter: "G*Way"}}, []string{"gamma gateway"}, 1},
		{"FilterLiteralPercent", weir.DeviceFilter{ListOptions: weir.ListOptions{FilterField: "name", Filter: "%"}}, nil, 0},
		{"TagKeyValue", weir.DeviceFilter{Tags: []weir.TagFilter{{Key: "floor", Value: "8"}}}, []string{"Beta"}, 1},
		{"TagKeyOnly", weir.DeviceFilter{Tags: []weir.TagFilter{{Key: "floor"}}}, []string{"alpha", "Beta"}, 2},
		{"TagValueOnly", weir.DeviceFilter{Tags: []weir.TagFilter{{Value: "8"}}}, []string{"Beta", "gamma gateway"}, 2},
		{"TagsAll", weir.DeviceFilter{Tags: []weir.TagFilter{{Key: "floor"}, {Key: "kind", Value: "pump"}}}, []string{"Beta"}, 1},
		{"IDs", weir.DeviceFilter{IDs: []string{gamma.ID, alpha.ID}}, []string{"alpha", "gamma gateway"}, 2},
		{"NoIDs", weir.DeviceFilter{IDs: []string{}}, nil, 0},
		{"Class", weir.DeviceFilter{DeviceClass: []string{weir.DeviceGateway}}, []string{"gamma gateway"}, 1},
		{"QueryPaged", weir.DeviceFilter{Query: mustDeviceQuery(t, map[string]any{"$or": []any{
			map[string]any{"tags": map[string]any{"$tagKey": "floor"}}, map[string]any{"deviceClass": "gateway"}}}),
			ListOptions: weir.ListOptions{Page: 1, PerPage: 2}}, []string{"gamma gateway"}, 3},
		{"QueryNone", weir.DeviceFilter{Query: mustDeviceQuery(t, map[string]any{"name": "nobody"})}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.filter.ApplicationID = a.ID
			ds, n, err := s.FindDevices(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("FindDevices: %v", err)
			}
			checkDiff(t, "names", names(ds), tc.want)
			if n != tc.wantTotal {
				t.Errorf("total = %d, want %d", n, tc.wantTotal)
			}
		})
	}
	t.Run("ErrSortField", func(t *testing.T) {
		_, _, err := s.FindDevices(t.Context(), weir.DeviceFilter{ApplicationID: a.ID, ListOptions: weir.ListOptions{SortField: "color"}})
		checkError(t, err, weir.Validation, "")
	})
	_ = beta
}

func testDeviceUpdate(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev", weir.DeviceTag{Key: "floor", Value: "8"}))
	mustAddStates(t, s, d, weir.DeviceState{Time: ms(time.Now()), Data: map[string]any{"temp": 20.0, "label": "x"}})

	t.Run("OK", func(t *testing.T) {
		u := *d
		u.Name, u.Tags = "renamed", []weir.DeviceTag{{Key: "floor", Value: "9"}}
		u.Attributes = []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeString}, {Name: "label", DataType: weir.AttributeString}}
		if err := s.UpdateDevice(t.Context(), &u); err != nil {
			t.Fatalf("UpdateDevice: %v", err)
		}
		if !u.CreationDate.Equal(d.CreationDate) {
			t.Errorf("CreationDate = %v, want %v", u.CreationDate, d.CreationDate)
		}
		got, err := s.FindDeviceByID(t.Context(), a.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "device", got, &u)
		ds, _, _ := s.FindDevices(t.Context(), weir.DeviceFilter{ApplicationID: a.ID, Tags: []weir.TagFilter{{Key: "floor", Value: "8"}}})
		if len(ds) != 0 {
			t.Errorf("tag query on the old tag found %d devices, want 0", len(ds))
		}
		c, err := s.FindCompositeState(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c["temp"]; ok {
			t.Errorf("composite state kept temp after its type changed: %v", c)
		}
		if c["label"].Value != "x" {
			t.Errorf("composite label = %v, want x", c["label"].Value)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		u := deviceOf(a.ID, "ghost")
		u.ID = "5a1b2c3d4e5f60718293a4b5"
		checkError(t, s.UpdateDevice(t.Context(), u), weir.NotFound, "Device was not found")
	})
	t.Run("ErrValidation", func(t *testing.T) {
		u := *d
		u.DeviceClass = "toaster"
		checkError(t, s.UpdateDevice(t.Context(), &u), weir.Validation, "")
	})
}

func testDeviceDelete(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev", weir.DeviceTag{Key: "k", Value: "v"}))
	mustAddStates(t, s, d, weir.DeviceState{Time: ms(time.Now()), Data: map[string]any{"temp": 1.0}})
	if err := s.DeleteDevice(t.Context(), a.ID, d.ID); err != nil {
		t.Fatalf("DeleteDevice: %v", err)
	}
	_, err := s.FindDeviceByID(t.Context(), a.ID, d.ID)
	checkError(t, err, weir.NotFound, "Device was not found")
	_, err = s.FindDeviceStates(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID})
	checkError(t, err, weir.NotFound, "Device was not found")
	checkError(t, s.DeleteDevice(t.Context(), a.ID, d.ID), weir.NotFound, "Device was not found")

	d2 := mustCreateDevice(t, s, deviceOf(a.ID, "dev2"))
	if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
		t.Fatalf("DeleteApplication: %v", err)
	}
	_, err = s.FindDeviceByID(t.Context(), a.ID, d2.ID)
	checkError(t, err, weir.NotFound, "Device was not found")
}

func testDeviceConnection(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	at := ms(time.Now())
	got, err := s.SetConnectionStatus(t.Context(), a.ID, d.ID, weir.DeviceLogEntry{Connected: true, Time: at})
	if err != nil {
		t.Fatalf("SetConnectionStatus: %v", err)
	}
	if got.Connection.Connected == nil || !*got.Connection.Connected || !got.Connection.Time.Equal(at) {
		t.Fatalf("Connection = %+v, want connected at %v", got.Connection, at)
	}
	got, err = s.SetConnectionStatus(t.Context(), a.ID, d.ID, weir.DeviceLogEntry{Time: at.Add(time.Second)})
	if err != nil || got.Connection.Connected == nil || *got.Connection.Connected {
		t.Fatalf("SetConnectionStatus(false) = %+v, %v; want disconnected", got, err)
	}
	_, err = s.SetConnectionStatus(t.Context(), a.ID, "5a1b2c3d4e5f60718293a4b5", weir.DeviceLogEntry{Connected: true, Time: at})
	checkError(t, err, weir.NotFound, "Device was not found")
}

// stateFixture opens a store with one application and one device in it
// (deviceOf), and returns them with the current time in milliseconds.
func stateFixture(t *testing.T, open func(t *testing.T) DeviceStore) (DeviceStore, *weir.Application, *weir.Device, time.Time) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	return s, a, mustCreateDevice(t, s, deviceOf(a.ID, "dev")), ms(time.Now())
}

func testDeviceState(t *testing.T, open func(t *testing.T) DeviceStore) {
	s, a, d, now := stateFixture(t, open)
	t1, t2, t3 := now.Add(-3*time.Minute), now.Add(-2*time.Minute), now.Add(-time.Minute)

	kept := mustAddStates(t, s, d,
		weir.DeviceState{Time: t1, Data: map[string]any{"temp": "21.5", "unknown": 1.0, "on": "yes"}},
		weir.DeviceState{Time: t2, Data: map[string]any{"label": 7.0, "on": 1.0}},
		weir.DeviceState{Time: now.Add(-31 * 24 * time.Hour), Data: map[string]any{"temp": 1.0}},
		weir.DeviceState{Time: t3, Data: map[string]any{"unknown": 1.0}},
	)
	want := []weir.DeviceState{
		{DeviceID: d.ID, Time: t1, Data: map[string]any{"temp": 21.5}},
		{DeviceID: d.ID, Time: t2, Data: map[string]any{"label": "7", "on": true}},
	}
	checkDiff(t, "kept states", kept, want)

	// A report of the same millisecond merges into the stored one.
	mustAddStates(t, s, d, weir.DeviceState{Time: t1, Data: map[string]any{"on": false}})
	want[0].Data["on"] = false

	tests := []struct {
		name   string
		filter weir.StateFilter
		want   []weir.DeviceState
	}{
		{"DefaultLatest", weir.StateFilter{}, []weir.DeviceState{want[1]}},
		{"LimitDesc", weir.StateFilter{Limit: 10}, []weir.DeviceState{want[1], want[0]}},
		{"Asc", weir.StateFilter{Limit: 10, Ascending: true}, want},
		{"Start", weir.StateFilter{Limit: 10, Start: t2}, []weir.DeviceState{want[1]}},
		{"End", weir.StateFilter{Limit: 10, End: t1}, []weir.DeviceState{want[0]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.filter.ApplicationID, tc.filter.DeviceID = a.ID, d.ID
			got, err := s.FindDeviceStates(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("FindDeviceStates: %v", err)
			}
			checkDiff(t, "states", got, tc.want)
		})
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := s.AddDeviceStates(t.Context(), a.ID, "5a1b2c3d4e5f60718293a4b5", want)
		checkError(t, err, weir.NotFound, "Device was not found")
	})
}

func testCompositeState(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	now := ms(time.Now())
	t1, t2 := now.Add(-2*time.Minute), now.Add(-time.Minute)
	mustAddStates(t, s, d, weir.DeviceState{Time: t2, Data: map[string]any{"temp": 2.0}})
	// An older report arriving later does not replace a newer value.
	mustAddStates(t, s, d, weir.DeviceState{Time: t1, Data: map[string]any{"temp": 1.0, "label": "old"}})

	checkComposite(t, s, "composite", weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID}, weir.CompositeState{
		"temp":  {Value: 2.0, Time: t2},
		"label": {Value: "old", Time: t1},
	})
	checkComposite(t, s, "composite up to t1", weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID, End: t1}, weir.CompositeState{
		"temp":  {Value: 1.0, Time: t1},
		"label": {Value: "old", Time: t1},
	})
}

// checkComposite checks the composite state filter selects.
func checkComposite(t *testing.T, s DeviceStore, what string, filter weir.StateFilter, want weir.CompositeState) {
	t.Helper()
	got, err := s.FindCompositeState(t.Context(), filter)
	if err != nil {
		t.Fatalf("FindCompositeState(%s): %v", what, err)
	}
	checkDiff(t, what, got, want)
}

// testSameTimeBatch adds, in one call, reports of which several share a
// millisecond (a device sending faster than the clock ticks, server time),
// one of them the time of a stored report: every report is kept and
// returned, those of one time are stored merged in the order given, a later
// value winning, and the latest values are those of the newest time.
func testSameTimeBatch(t *testing.T, open func(t *testing.T) DeviceStore) {
	s, a, d, now := stateFixture(t, open)
	t1, t2, t3 := now.Add(-3*time.Minute), now.Add(-2*time.Minute), now.Add(-time.Minute)
	mustAddStates(t, s, d, weir.DeviceState{Time: t3, Data: map[string]any{"label": "stored", "on": true}})
	in := []weir.DeviceState{
		{Time: t1, Data: map[string]any{"temp": 1.0}},
		{Time: t2, Data: map[string]any{"temp": 2.0, "label": "two"}},
		{Time: t1, Data: map[string]any{"temp": 3.0, "on": true}},
		{Time: t3, Data: map[string]any{"temp": 4.0}},
		{Time: t1, Data: map[string]any{"label": "one"}},
		{Time: t3, Data: map[string]any{"on": false}},
	}
	kept := mustAddStates(t, s, d, in...)
	if len(kept) != len(in) {
		t.Fatalf("kept %d reports, want all %d", len(kept), len(in))
	}
	for i, st := range kept {
		if !st.Time.Equal(in[i].Time) || len(st.Data) != len(in[i].Data) {
			t.Errorf("kept[%d] = %v, want report %d as given (%v)", i, st, i, in[i])
		}
	}
	got, err := s.FindDeviceStates(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10, Ascending: true})
	if err != nil {
		t.Fatalf("FindDeviceStates: %v", err)
	}
	checkDiff(t, "stored states", got, []weir.DeviceState{
		{DeviceID: d.ID, Time: t1, Data: map[string]any{"temp": 3.0, "on": true, "label": "one"}},
		{DeviceID: d.ID, Time: t2, Data: map[string]any{"temp": 2.0, "label": "two"}},
		{DeviceID: d.ID, Time: t3, Data: map[string]any{"temp": 4.0, "label": "stored", "on": false}},
	})
	checkComposite(t, s, "composite", weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID}, weir.CompositeState{
		"temp":  {Value: 4.0, Time: t3},
		"label": {Value: "stored", Time: t3},
		"on":    {Value: false, Time: t3},
	})
	// The reports given are left as they were.
	if len(in[0].Data) != 1 || in[0].Data["temp"] != 1.0 {
		t.Errorf("the first report given became %v", in[0].Data)
	}
}

func testRemoveDeviceData(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	now := ms(time.Now())
	t1, t2 := now.Add(-2*time.Minute), now.Add(-time.Minute)
	mustAddStates(t, s, d,
		weir.DeviceState{Time: t1, Data: map[string]any{"temp": 1.0}},
		weir.DeviceState{Time: t2, Data: map[string]any{"temp": 2.0}})
	for _, at := range []time.Time{t1, t2} {
		if _, err := s.SetConnectionStatus(t.Context(), a.ID, d.ID, weir.DeviceLogEntry{Connected: true, Time: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddDeviceCommand(t.Context(), a.ID, d.ID, &weir.DeviceCommand{Name: "c", Time: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveDeviceData(t.Context(), a.ID, d.ID, weir.DataRemoval{Start: t2}); err != nil {
		t.Fatalf("RemoveDeviceData: %v", err)
	}
	got, err := s.FindCompositeState(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "composite after remove", got, weir.CompositeState{"temp": {Value: 1.0, Time: t1}})
	states, err := s.FindDeviceStates(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
	if err != nil || len(states) != 1 {
		t.Fatalf("states after remove = %v, %v; want the one at t1", states, err)
	}
	logs, err := s.FindDeviceLogEntries(t.Context(), weir.DeviceLogFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "connection log after remove", logs, []weir.DeviceLogEntry{{Connected: true, Time: t1}})
	cmds, err := s.FindDeviceCommands(t.Context(), weir.CommandFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "commands after remove", cmds, []weir.DeviceCommand{{Name: "c", Time: t1}})
}

func testDeviceCommands(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	now := ms(time.Now())
	c1 := &weir.DeviceCommand{Name: "reboot", Time: now.Add(-time.Minute)}
	c2 := &weir.DeviceCommand{Name: "set", Payload: []byte(`{"level": 3}`), Time: now}
	for _, c := range []*weir.DeviceCommand{c1, c2} {
		if err := s.AddDeviceCommand(t.Context(), a.ID, d.ID, c); err != nil {
			t.Fatalf("AddDeviceCommand: %v", err)
		}
	}
	got, err := s.FindDeviceCommands(t.Context(), weir.CommandFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
	if err != nil {
		t.Fatalf("FindDeviceCommands: %v", err)
	}
	checkDiff(t, "commands", got, []weir.DeviceCommand{*c2, *c1})
	got, _ = s.FindDeviceCommands(t.Context(), weir.CommandFilter{ApplicationID: a.ID, DeviceID: d.ID})
	checkDiff(t, "latest command", got, []weir.DeviceCommand{*c2})
	checkError(t, s.AddDeviceCommand(t.Context(), a.ID, d.ID, &weir.DeviceCommand{}), weir.Validation, "")
	checkError(t, s.AddDeviceCommand(t.Context(), a.ID, "5a1b2c3d4e5f60718293a4b5", c1), weir.NotFound, "Device was not found")
}

func testApplicationKeys(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	k := &weir.ApplicationKey{ApplicationID: a.ID, Key: "key-b", SecretHash: "hash", Status: weir.KeyActive,
		Description: "gateways", DeviceTags: []weir.DeviceTag{{Key: "kind", Value: "gw"}}, FilterType: "none"}
	if err := s.CreateApplicationKey(t.Context(), k); err != nil {
		t.Fatalf("CreateApplicationKey: %v", err)
	}
	checkTimeSet(t, "CreationDate", k.CreationDate)
	got, err := s.FindApplicationKeyByKey(t.Context(), "key-b")
	if err != nil {
		t.Fatalf("FindApplicationKeyByKey: %v", err)
	}
	checkDiff(t, "key", got, k)
	if got.SecretHash != "hash" {
		t.Errorf("SecretHash = %q, want it kept", got.SecretHash)
	}
	dup := &weir.ApplicationKey{ApplicationID: a.ID, Key: "key-b", SecretHash: "h", Status: weir.KeyActive}
	checkError(t, s.CreateApplicationKey(t.Context(), dup), weir.Validation, "")
	k2 := &weir.ApplicationKey{ApplicationID: a.ID, Key: "Key-A", SecretHash: "h", Status: weir.KeyInactive}
	if err := s.CreateApplicationKey(t.Context(), k2); err != nil {
		t.Fatal(err)
	}
	ks, n, err := s.FindApplicationKeys(t.Context(), weir.ApplicationKeyFilter{ApplicationID: a.ID,
		ListOptions: weir.ListOptions{SortField: "key"}})
	if err != nil || n != 2 || ks[0].Key != "Key-A" {
		t.Fatalf("FindApplicationKeys = %v, %d, %v; want Key-A first of 2", ks, n, err)
	}
	ks, n, _ = s.FindApplicationKeys(t.Context(), weir.ApplicationKeyFilter{ApplicationID: a.ID,
		ListOptions: weir.ListOptions{FilterField: "status", Filter: "inactive"}})
	if n != 1 || ks[0].ID != k2.ID {
		t.Fatalf("filter status=inactive = %v, %d; want k2", ks, n)
	}

	u := &weir.ApplicationKey{ID: k.ID, ApplicationID: a.ID, Status: weir.KeyInactive, Description: "off"}
	if err := s.UpdateApplicationKey(t.Context(), u); err != nil {
		t.Fatalf("UpdateApplicationKey: %v", err)
	}
	got, _ = s.FindApplicationKeyByID(t.Context(), a.ID, k.ID)
	if got.Status != weir.KeyInactive || got.Description != "off" || got.SecretHash != "hash" ||
		!slices.Equal(got.DeviceTags, k.DeviceTags) {
		t.Errorf("after update = %+v; want inactive, described off, hash and tags kept", got)
	}
	if err := s.DeleteApplicationKey(t.Context(), a.ID, k.ID); err != nil {
		t.Fatalf("DeleteApplicationKey: %v", err)
	}
	_, err = s.FindApplicationKeyByID(t.Context(), a.ID, k.ID)
	checkError(t, err, weir.NotFound, "Application key was not found")
	checkError(t, s.DeleteApplicationKey(t.Context(), a.ID, k.ID), weir.NotFound, "Application key was not found")
	if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindApplicationKeyByKey(t.Context(), "Key-A")
	checkError(t, err, weir.NotFound, "Application key was not found")
}

func testPruneDeviceStates(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	d := mustCreateDevice(t, s, deviceOf(a.ID, "dev"))
	now := ms(time.Now())
	old, recent := now.Add(-2*time.Hour), now.Add(-time.Minute)
	mustAddStates(t, s, d,
		weir.DeviceState{Time: old, Data: map[string]any{"label": "old"}},
		weir.DeviceState{Time: recent, Data: map[string]any{"temp": 2.0}})
	n, err := s.PruneDeviceStates(t.Context(), now.Add(-time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneDeviceStates = %d, %v; want 1 deleted", n, err)
	}
	states, _ := s.FindDeviceStates(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID, Limit: 10})
	if len(states) != 1 || !states[0].Time.Equal(recent) {
		t.Errorf("states after prune = %v, want the recent one", states)
	}
	c, _ := s.FindCompositeState(t.Context(), weir.StateFilter{ApplicationID: a.ID, DeviceID: d.ID})
	if c["label"].Value != "old" {
		t.Errorf("composite after prune = %v, want the latest values kept", c)
	}
}

func mustDeviceQuery(t *testing.T, q map[string]any) *weir.DeviceQuery {
	t.Helper()
	dq, err := weir.ParseDeviceQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return dq
}
