package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/triggers"
)

// allFlows serves FindFlows across applications.
type allFlows struct {
	weir.FlowService
	flows []*weir.Flow
}

func (f *allFlows) FindFlows(_ context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	var out []*weir.Flow
	for _, fl := range f.flows {
		if (filter.ApplicationID == "" || fl.ApplicationID == filter.ApplicationID) && (filter.FlowClass == "" || fl.FlowClass == filter.FlowClass) {
			out = append(out, fl)
		}
	}
	return out, len(out), nil
}

// inactivityWorld is the devices, their last activity and the marks, as a
// store keeps them across restarts; its queue refuses an id it holds and
// can be made to fail.
type inactivityWorld struct {
	weir.DeviceService
	weir.RunQueue
	mu      sync.Mutex
	devices []*weir.Device
	last    map[string]time.Time
	marks   map[string]markRow
	runs    []*weir.Run
	queued  map[string]bool
	failing bool
}

type markRow struct {
	m      weir.InactivityMark
	queued bool
}

func (w *inactivityWorld) FindDevices(_ context.Context, f weir.DeviceFilter) ([]*weir.Device, int, error) {
	var out []*weir.Device
	for _, d := range w.devices {
		if d.ApplicationID == f.ApplicationID {
			out = append(out, d)
		}
	}
	return out, len(out), nil
}

func (w *inactivityWorld) FindLastActivity(_ context.Context, appID string) (map[string]time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]time.Time{}
	for _, d := range w.devices {
		if at, ok := w.last[d.ID]; ok && d.ApplicationID == appID {
			out[d.ID] = at
		}
	}
	return out, nil
}

func (w *inactivityWorld) BeginInactivity(_ context.Context, m weir.InactivityMark) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := m.FlowID + m.TriggerKey + m.DeviceID
	if r, ok := w.marks[k]; ok && r.m == m {
		return !r.queued, nil
	}
	w.marks[k] = markRow{m: m}
	return true, nil
}

func (w *inactivityWorld) EndInactivity(_ context.Context, m weir.InactivityMark) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := m.FlowID + m.TriggerKey + m.DeviceID
	if r, ok := w.marks[k]; ok && r.m == m {
		w.marks[k] = markRow{m: m, queued: true}
	}
	return nil
}

func (w *inactivityWorld) EnqueueRun(_ context.Context, r *weir.Run) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failing {
		return errors.New("disk full")
	}
	if w.queued[r.ID] {
		return weir.Errorf(weir.Validation, "Run id %s is already queued", r.ID)
	}
	w.queued[r.ID] = true
	w.runs = append(w.runs, r)
	return nil
}

func TestInactivityTrigger(t *testing.T) {
	app := weir.NewID()
	saved := time.Date(2026, 5, 1, 11, 0, 0, 0, time.UTC)
	t0 := saved.Add(time.Hour)
	boiler := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "boiler", Tags: []weir.DeviceTag{{Key: "floor", Value: "8"}}}
	pump := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "pump", Tags: []weir.DeviceTag{{Key: "floor", Value: "9"}}}
	old := &weir.Device{ID: weir.NewID(), ApplicationID: app, Name: "old", Tags: []weir.DeviceTag{{Key: "floor", Value: "8"}}}
	flow := flowWith(app, true,
		weir.Trigger{Type: triggers.TriggerDeviceTagInactivity, Key: "floor/8", Config: json.RawMessage(`{"seconds":60}`)},
		weir.Trigger{Type: triggers.TriggerDeviceIDInactivity, Key: pump.ID, Config: json.RawMessage(`{"seconds":120}`)},
		weir.Trigger{Type: triggers.TriggerDeviceIDInactivity, Key: boiler.ID, Config: json.RawMessage(`{"seconds":0}`)}, // out of range: never armed
	)
	flow.LastUpdated = saved
	world := &inactivityWorld{devices: []*weir.Device{boiler, pump, old}, marks: map[string]markRow{}, queued: map[string]bool{},
		// old went silent before the flow was saved: Losant waits for its next report.
		last: map[string]time.Time{boiler.ID: t0, pump.ID: t0, old.ID: saved.Add(-time.Minute)}}
	now := t0
	start := func() *triggers.Inactivity {
		return &triggers.Inactivity{Flows: &allFlows{flows: []*weir.Flow{flow}}, Devices: world, Marks: world, Queue: world,
			Now: func() time.Time { return now }}
	}
	in := start()
	check := func(at time.Time, want int) {
		t.Helper()
		now = at
		if err := in.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
		if len(world.runs) != want {
			t.Fatalf("at +%v: %d runs, want %d", at.Sub(t0), len(world.runs), want)
		}
	}
	check(t0.Add(59*time.Second), 0)
	check(t0.Add(61*time.Second), 1) // the boiler, by tag
	r := world.runs[0]
	var data map[string]any
	_ = json.Unmarshal(r.Data, &data)
	if r.TriggerID != boiler.ID || r.TriggerType != triggers.TriggerDeviceTagInactivity || r.RelayType != "timer" ||
		r.RelayID != "inactivity-"+boiler.ID+"-60" || !r.Time.Equal(t0.Add(time.Minute)) ||
		data["inactivitySeconds"] != 60.0 || data["lastActivity"] != "2026-05-01T12:00:00Z" {
		t.Errorf("run = %+v, data %v", r, data)
	}
	check(t0.Add(62*time.Second), 1)  // fired once per silence
	check(t0.Add(121*time.Second), 2) // the pump, by id

	t.Run("RestartFiresNothingTwice", func(t *testing.T) {
		in = start()
		check(t0.Add(10*time.Minute), 2)
	})

	t.Run("NextReportRearms", func(t *testing.T) {
		world.mu.Lock()
		world.last[boiler.ID] = t0.Add(5 * time.Minute)
		world.mu.Unlock()
		check(t0.Add(5*time.Minute+59*time.Second), 2)
		check(t0.Add(6*time.Minute), 3)
	})

	t.Run("FailedQueueFiresAfterRestart", func(t *testing.T) {
		world.mu.Lock()
		world.last[boiler.ID] = t0.Add(20 * time.Minute)
		world.failing = true
		world.mu.Unlock()
		check(t0.Add(22*time.Minute), 3) // begun, not queued
		world.mu.Lock()
		world.failing = false
		world.mu.Unlock()
		in = start()
		check(t0.Add(23*time.Minute), 4)
		check(t0.Add(24*time.Minute), 4)
	})
}
