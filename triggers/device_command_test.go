package triggers_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/triggers"
)

func TestDeviceCommandTrigger(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "gateway", Tags: []weir.DeviceTag{{Key: "kind", Value: "edge"}}}
	other := weir.NewID()
	trig := func(key string) weir.Trigger {
		return weir.Trigger{Type: triggers.TriggerDeviceCommand, Key: key, Config: json.RawMessage(`{}`)}
	}
	edge := flowWith(app, true, trig("deviceCommand"))
	edge.FlowClass = weir.FlowClassEdge
	byID := flowWith(app, true, trig(d.ID))
	byTag := flowWith(app, true, trig("kind/edge"))
	experience := flowWith(app, true, trig("deviceCommand"))
	experience.FlowClass = weir.FlowClassExperience
	noMatch := []*weir.Flow{
		flowWith(app, true, trig(other)),            // another device
		flowWith(app, true, trig("kind/cloud")),     // another tag
		flowWith(app, false, trig("deviceCommand")), // disabled
		flowWith(weir.NewID(), true, trig("deviceCommand")),
		flowWith(app, true, weir.Trigger{Type: triggers.TriggerDeviceID, Key: d.ID}), // a state trigger
		experience,
	}
	q := &queue{}
	ds := &triggers.Devices{Flows: &fakeFlows{flows: append([]*weir.Flow{edge, byID, byTag}, noMatch...)}, Queue: q}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &weir.DeviceCommand{Name: "reboot", Payload: json.RawMessage(`{"delay":5}`), Time: at}
	if err := ds.DeviceCommand(t.Context(), d, c); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range q.runs {
		got[r.FlowID] = r.TriggerID
		var data map[string]any
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"name": "reboot", "payload": map[string]any{"delay": 5.0}, "time": "2026-05-01T12:00:00Z"}
		if diff := cmp.Diff(want, data); diff != "" {
			t.Errorf("run data (-want +got):\n%s", diff)
		}
		if r.TriggerType != triggers.TriggerDeviceCommand || !r.Time.Equal(at) {
			t.Errorf("run = %+v", r)
		}
	}
	want := map[string]string{edge.ID: "deviceCommand", byID.ID: d.ID, byTag.ID: "kind/edge"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs by flow → triggerId (-want +got):\n%s", diff)
	}
}

// TestDeviceCommandTriggerCached: commands are matched from the
// application's trigger index, so a second command reads no flows.
func TestDeviceCommandTriggerCached(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "gateway"}
	edge := flowWith(app, true, weir.Trigger{Type: triggers.TriggerDeviceCommand, Key: "deviceCommand", Config: json.RawMessage(`{}`)})
	edge.FlowClass = weir.FlowClassEdge
	flows := &countingFlows{fakeFlows: fakeFlows{flows: []*weir.Flow{edge}}}
	q := &queue{}
	ds := &triggers.Devices{Flows: flows, Queue: q, Index: &engine.FlowCache{Flows: flows}}
	reads := make([]int, 2)
	for i := range reads {
		if err := ds.DeviceCommand(t.Context(), d, &weir.DeviceCommand{Name: "go", Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		reads[i] = flows.calls
	}
	if reads[0] == 0 || reads[1] != reads[0] || len(q.runs) != 2 {
		t.Fatalf("flow reads after each command %v, %d runs; want none for the second and 2 runs", reads, len(q.runs))
	}
}
