package triggers_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/triggers"
)

// fakeFlows serves FindFlows from a list; other methods are not used.
type fakeFlows struct {
	weir.FlowService
	flows []*weir.Flow
}

func (f *fakeFlows) FindFlows(_ context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	var out []*weir.Flow
	for _, fl := range f.flows {
		if fl.ApplicationID == filter.ApplicationID && (filter.FlowClass == "" || fl.FlowClass == filter.FlowClass) {
			out = append(out, fl)
		}
	}
	return out, len(out), nil
}

// queue records enqueued runs.
type queue struct {
	weir.RunQueue
	mu   sync.Mutex
	runs []*weir.Run
}

func (q *queue) EnqueueRun(_ context.Context, r *weir.Run) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.runs = append(q.runs, r)
	return nil
}

func flowWith(app string, enabled bool, ts ...weir.Trigger) *weir.Flow {
	f := &weir.Flow{ID: weir.NewID(), ApplicationID: app, Enabled: enabled, FlowClass: weir.FlowClassCloud}
	f.Triggers = ts
	return f
}

func TestDeviceTriggers(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "boiler",
		Tags: []weir.DeviceTag{{Key: "floor", Value: "8"}, {Key: "floor", Value: "9"}}}
	st := func(ago time.Duration, data map[string]any) weir.DeviceState {
		return weir.DeviceState{DeviceID: d.ID, Time: now.Add(-ago), Data: data}
	}
	cfg := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name    string
		trigger weir.Trigger
		states  []weir.DeviceState
		want    int // runs
	}{
		{"ByID", weir.Trigger{Type: "deviceId", Key: d.ID}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 1},
		{"ByIDEachReport", weir.Trigger{Type: "deviceId", Key: d.ID}, []weir.DeviceState{st(0, map[string]any{"t": 1.0}), st(time.Second, map[string]any{"t": 2.0})}, 2},
		{"OtherID", weir.Trigger{Type: "deviceId", Key: weir.NewID()}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 0},
		{"ByTag", weir.Trigger{Type: "deviceTag", Key: "floor/9"}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 1},
		{"ByTagKeyOnly", weir.Trigger{Type: "deviceTag", Key: "floor/"}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 1},
		{"OtherTag", weir.Trigger{Type: "deviceTag", Key: "floor/7"}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 0},
		{"ConnectTriggerIgnoresState", weir.Trigger{Type: "deviceIdConnect", Key: d.ID}, []weir.DeviceState{st(0, map[string]any{"t": 1.0})}, 0},
		{"Whitelist", weir.Trigger{Type: "deviceId", Key: d.ID, Config: cfg(`{"attributeWhitelist":["h"]}`)},
			[]weir.DeviceState{st(0, map[string]any{"t": 1.0}), st(time.Second, map[string]any{"h": 1.0})}, 1},
		{"Blacklist", weir.Trigger{Type: "deviceId", Key: d.ID, Config: cfg(`{"attributeBlacklist":["t"]}`)},
			[]weir.DeviceState{st(0, map[string]any{"t": 1.0}), st(time.Second, map[string]any{"t": 1.0, "h": 1.0})}, 1},
		{"MaxAge", weir.Trigger{Type: "deviceId", Key: d.ID, Config: cfg(`{"maxAge":60}`)},
			[]weir.DeviceState{st(0, map[string]any{"t": 1.0}), st(2*time.Minute, map[string]any{"t": 1.0})}, 1},
		{"BatchOnce", weir.Trigger{Type: "deviceId", Key: d.ID, Config: cfg(`{"triggerOn":"batch","batchBehavior":"once"}`)},
			[]weir.DeviceState{st(0, map[string]any{"t": 1.0}), st(time.Second, map[string]any{"t": 2.0})}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &queue{}
			ds := &triggers.Devices{Flows: &fakeFlows{flows: []*weir.Flow{
				flowWith(app, true, tc.trigger),
				flowWith(app, false, tc.trigger),         // disabled: never fires
				flowWith(weir.NewID(), true, tc.trigger), // another application
			}}, Queue: q, Now: func() time.Time { return now }}
			if err := ds.DeviceStates(t.Context(), d, tc.states); err != nil {
				t.Fatal(err)
			}
			if len(q.runs) != tc.want {
				t.Fatalf("DeviceStates queued %d runs, want %d", len(q.runs), tc.want)
			}
		})
	}
}

func TestDeviceTriggerPayload(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "boiler", Tags: []weir.DeviceTag{{Key: "floor", Value: "8"}}}
	q := &queue{}
	f := flowWith(app, true, weir.Trigger{Type: "deviceId", Key: d.ID}, weir.Trigger{Type: "deviceTagDisconnect", Key: "/8"})
	ds := &triggers.Devices{Flows: &fakeFlows{flows: []*weir.Flow{f}}, Queue: q}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := ds.DeviceStates(t.Context(), d, []weir.DeviceState{{Time: at, Data: map[string]any{"temp": 21.5}}}); err != nil {
		t.Fatal(err)
	}
	if err := ds.DeviceConnection(t.Context(), d, false, map[string]any{"disconnectReason": "gone"}); err != nil {
		t.Fatal(err)
	}
	if len(q.runs) != 2 {
		t.Fatalf("%d runs, want 2", len(q.runs))
	}
	r := q.runs[0]
	got := map[string]any{"type": r.TriggerType, "id": r.TriggerID, "flow": r.FlowID, "time": r.Time, "data": string(r.Data), "device": string(r.Device)}
	want := map[string]any{"type": "deviceId", "id": d.ID, "flow": f.ID, "time": at, "data": `{"temp":21.5}`,
		"device": `{"deviceId":"` + d.ID + `","deviceName":"boiler","deviceTags":{"floor":["8"]}}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state run (-want +got):\n%s", diff)
	}
	if r := q.runs[1]; r.TriggerType != "deviceTagDisconnect" || string(r.Data) != `{"disconnectReason":"gone"}` {
		t.Errorf("disconnect run = %s %s", r.TriggerType, r.Data)
	}
}

func TestDeviceCreateTrigger(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "new one", DeviceClass: weir.DeviceStandalone}
	q := &queue{}
	f := flowWith(app, true, weir.Trigger{Type: "deviceCreate", Key: "/"}, weir.Trigger{Type: "deviceId", Key: d.ID})
	ds := &triggers.Devices{Flows: &fakeFlows{flows: []*weir.Flow{f, flowWith(weir.NewID(), true, weir.Trigger{Type: "deviceCreate", Key: "/"})}}, Queue: q}
	if err := ds.DeviceCreated(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if len(q.runs) != 1 {
		t.Fatalf("%d runs, want 1 (the application's deviceCreate trigger)", len(q.runs))
	}
	var data struct {
		Device map[string]any `json:"device"`
	}
	if err := json.Unmarshal(q.runs[0].Data, &data); err != nil || data.Device["deviceId"] != d.ID || data.Device["name"] != "new one" {
		t.Errorf("run data %s, want {device: the new device}", q.runs[0].Data)
	}
	if q.runs[0].TriggerID != d.ID || q.runs[0].TriggerType != "deviceCreate" {
		t.Errorf("trigger %s %s, want deviceCreate with the device id", q.runs[0].TriggerType, q.runs[0].TriggerID)
	}
}

// TestDeviceTriggerEncodingMatchesEncodingJSON checks that a run's data and
// device are the bytes encoding/json gives for values of every kind a
// report or a device carries: escaped markup and control characters,
// non-ASCII text, large, small and integral numbers, nested values, and
// tags with several values and keys out of order.
func TestDeviceTriggerEncodingMatchesEncodingJSON(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: `<b>"tank" & ünïcode</b>` + "\u2028\t",
		Tags: []weir.DeviceTag{{Key: "zone", Value: "b"}, {Key: "floor", Value: "8"}, {Key: "zone", Value: "a<>"}}}
	data := map[string]any{
		"html": "<script>&</script>", "ctl": "a\x01b\u2029", "text": "ünïcode ✓", "invalid": "bad\xff\xfe",
		"big": 1e21, "small": 1e-7, "int": 42.0, "neg": -0.5, "max": 1.7976931348623157e308,
		"bool": true, "null": nil, "num": json.Number("12.50"),
		"nested": map[string]any{"b": []any{1.0, "x", false}, "a": map[string]any{}},
	}
	q := &queue{}
	f := flowWith(app, true, weir.Trigger{Type: "deviceId", Key: d.ID})
	ds := &triggers.Devices{Flows: &fakeFlows{flows: []*weir.Flow{f}}, Queue: q}
	if err := ds.DeviceStates(t.Context(), d, []weir.DeviceState{{Time: time.Now(), Data: data}}); err != nil {
		t.Fatal(err)
	}
	if len(q.runs) != 1 {
		t.Fatalf("%d runs, want 1", len(q.runs))
	}
	wantData, _ := json.Marshal(data)
	wantDevice, _ := json.Marshal(map[string]any{"deviceId": d.ID, "deviceName": d.Name, "deviceTags": d.TagsObject()})
	if got := string(q.runs[0].Data); got != string(wantData) {
		t.Errorf("data\n got %s\nwant %s", got, wantData)
	}
	if got := string(q.runs[0].Device); got != string(wantDevice) {
		t.Errorf("device\n got %s\nwant %s", got, wantDevice)
	}
}

// fullQueue refuses runs as a full queue does until it has refused full
// of them, then records them.
type fullQueue struct {
	queue
	full int
}

func (q *fullQueue) EnqueueRun(ctx context.Context, r *weir.Run) error {
	q.mu.Lock()
	if q.full > 0 {
		q.full--
		q.mu.Unlock()
		return weir.Errorf(weir.Unavailable, "100000 runs are waiting; try again later")
	}
	q.mu.Unlock()
	return q.queue.EnqueueRun(ctx, r)
}

// A report's triggers wait for room in a full run queue instead of giving
// up (the report is committed; giving up would leave it unacknowledged),
// queue each run once, and give up when the caller does.
func TestDeviceTriggersWaitForRoomInAFullQueue(t *testing.T) {
	app := weir.NewID()
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "boiler"}
	f := flowWith(app, true, weir.Trigger{Type: triggers.TriggerDeviceID, Key: d.ID})
	q := &fullQueue{full: 5}
	ds := &triggers.Devices{Flows: &fakeFlows{flows: []*weir.Flow{f}}, Queue: q}
	states := []weir.DeviceState{{DeviceID: d.ID, Time: time.Now(), Data: map[string]any{"t": 1.0}}}
	if err := ds.DeviceStates(context.Background(), d, states); err != nil {
		t.Fatalf("DeviceStates with a queue full 5 times = %v, want nil once there is room", err)
	}
	if len(q.runs) != 1 {
		t.Fatalf("queued %d runs, want 1", len(q.runs))
	}

	q.full = 1 << 30
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := ds.DeviceStates(ctx, d, states)
	if weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("DeviceStates with a queue that stays full = %v, want Unavailable when the caller gives up", err)
	}
	if len(q.runs) != 1 {
		t.Fatalf("queued %d runs, want still 1", len(q.runs))
	}
}
