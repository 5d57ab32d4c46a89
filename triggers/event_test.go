package triggers_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/triggers"
)

func TestEventTriggers(t *testing.T) {
	app := weir.NewID()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ev := func(level, state, subject string) *weir.Event {
		return &weir.Event{ID: weir.NewID(), ApplicationID: app, Level: level, State: state, Subject: subject,
			EventTags: map[string]string{}, Updates: []weir.EventUpdate{}, CreationDate: at, LastUpdated: at}
	}
	trig := func(key, cfg string) weir.Trigger {
		return weir.Trigger{Type: triggers.TriggerEvent, Key: key, Config: json.RawMessage(cfg)}
	}
	tests := []struct {
		name     string
		trigger  weir.Trigger
		old, new *weir.Event
		want     int
	}{
		{"CreatedNew", trig("error", `{"subject":"","new":true}`), nil, ev("error", "new", "Power"), 1},
		{"OtherLevel", trig("error", `{"new":true}`), nil, ev("warning", "new", "Power"), 0},
		{"AnyLevel", trig("any", `{"new":true}`), nil, ev("info", "new", "Power"), 1},
		{"StateNotSelected", trig("error", `{"acknowledged":true}`), nil, ev("error", "new", "Power"), 0},
		{"SubjectGlobCaseless", trig("critical", `{"subject":"abnormal power*","new":true}`), nil, ev("critical", "new", "Abnormal Power Draw"), 1},
		{"SubjectMismatch", trig("critical", `{"subject":"abnormal power","new":true}`), nil, ev("critical", "new", "Abnormal Power Draw"), 0},
		{"Resolved", trig("info", `{"resolved":true}`), ev("info", "new", "x"), ev("info", "resolved", "x"), 1},
		{"StateUnchanged", trig("info", `{"new":true}`), ev("info", "new", "x"), ev("info", "new", "y"), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &queue{}
			x := &triggers.Events{Flows: &fakeFlows{flows: []*weir.Flow{flowWith(app, true, tc.trigger), flowWith(app, false, tc.trigger)}}, Queue: q}
			if err := x.EventsChanged(t.Context(), []*weir.Event{tc.old}, []*weir.Event{tc.new}); err != nil {
				t.Fatal(err)
			}
			if len(q.runs) != tc.want {
				t.Fatalf("%d runs, want %d", len(q.runs), tc.want)
			}
			if tc.want == 0 {
				return
			}
			r := q.runs[0]
			var data map[string]any
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatal(err)
			}
			if r.TriggerType != "event" || r.TriggerID != tc.trigger.Key || data["id"] != tc.new.ID || data["subject"] != tc.new.Subject ||
				data["latestUpdate"] != nil || data["allUpdates"] == nil || !r.Time.Equal(at) {
				t.Fatalf("run %+v data %v", r, data)
			}
		})
	}
}

// countingFlows counts FindFlows calls.
type countingFlows struct {
	fakeFlows
	calls int
}

func (f *countingFlows) FindFlows(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	f.calls++
	return f.fakeFlows.FindFlows(ctx, filter)
}

// TestEventTriggersBulk: a bulk change reads the flows once and queues a run
// per event whose state moved into a selected state.
func TestEventTriggersBulk(t *testing.T) {
	app := weir.NewID()
	ev := func(state string) *weir.Event {
		return &weir.Event{ID: weir.NewID(), ApplicationID: app, Level: "info", State: state, Subject: "s"}
	}
	flows := &countingFlows{fakeFlows: fakeFlows{flows: []*weir.Flow{flowWith(app, true,
		weir.Trigger{Type: triggers.TriggerEvent, Key: "any", Config: json.RawMessage(`{"resolved":true}`)})}}}
	q := &queue{}
	x := &triggers.Events{Flows: flows, Queue: q}
	old := []*weir.Event{ev("new"), ev("acknowledged"), ev("resolved")}
	now := []*weir.Event{ev("resolved"), ev("resolved"), ev("resolved")}
	if err := x.EventsChanged(t.Context(), old, now); err != nil {
		t.Fatal(err)
	}
	if flows.calls != 1 || len(q.runs) != 2 {
		t.Fatalf("%d flow reads, %d runs; want 1 and 2 (the third was resolved already)", flows.calls, len(q.runs))
	}
}
