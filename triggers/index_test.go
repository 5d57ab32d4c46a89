package triggers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/triggers"
)

// indexFixture is an application whose flows carry every kind of trigger
// the index serves, under keys that match, differ only in case, or miss.
func indexFixture(app, device, table string) []*weir.Flow {
	tableCfg := json.RawMessage(`{"insert":true,"update":true}`)
	eventCfg := json.RawMessage(`{"new":true}`)
	kinds := []weir.Trigger{
		{Type: "deviceId", Key: device}, {Type: "deviceId", Key: strings.ToUpper(device)}, {Type: "deviceId", Key: weir.NewID()},
		{Type: "deviceTag", Key: "floor/9"}, {Type: "deviceTag", Key: "floor/"}, {Type: "deviceTag", Key: "/9"},
		{Type: "deviceTag", Key: "floor/7"}, {Type: "deviceTag", Key: "/"}, {Type: "deviceTag", Key: "floor"},
		{Type: "deviceIdConnect", Key: device}, {Type: "deviceTagConnect", Key: "floor/9"}, {Type: "deviceIdConnect", Key: weir.NewID()},
		{Type: "deviceIdDisconnect", Key: device}, {Type: "deviceTagDisconnect", Key: "floor/"},
		{Type: "deviceCreate", Key: "any"},
		{Type: "dataTable", Key: table, Config: tableCfg}, {Type: "dataTable", Key: strings.ToUpper(table), Config: tableCfg},
		{Type: "dataTable", Key: table, Config: json.RawMessage(`{"delete":true}`)}, {Type: "dataTable", Key: weir.NewID(), Config: tableCfg},
		{Type: "event", Key: "any", Config: eventCfg}, {Type: "event", Key: "INFO", Config: eventCfg}, {Type: "event", Key: "error", Config: eventCfg},
		{Type: "webhook", Key: weir.NewID()}, {Type: "virtualButton", Key: "b"},
		{Type: "deviceCommand", Key: device}, {Type: "deviceCommand", Key: "floor/9"}, {Type: "deviceCommand", Key: "deviceCommand"},
		{Type: "deviceCommand", Key: weir.NewID()},
	}
	var flows []*weir.Flow
	for i := range 60 {
		// Each flow takes three kinds, so that one flow mixes id, tag and
		// other triggers; every seventh flow is disabled.
		f := flowWith(app, i%7 != 3, kinds[i%len(kinds)], kinds[(i*5+1)%len(kinds)], kinds[(i*11+2)%len(kinds)])
		flows = append(flows, f)
	}
	other := flowWith(weir.NewID(), true, kinds...)
	edge := flowWith(app, true, kinds...)
	edge.FlowClass = weir.FlowClassEdge
	experience := flowWith(app, true, kinds...)
	experience.FlowClass = weir.FlowClassExperience
	return append(flows, other, edge, experience)
}

// scanned is what a run names of the trigger that started it.
type scanned struct{ Flow, Type, Key string }

// fullScan is the reference: every enabled cloud flow of the application
// (and edge and embedded ones for deviceCommand triggers) read in order,
// each trigger tested with want.
func fullScan(flows []*weir.Flow, app string, want func(weir.Trigger) bool) []scanned {
	var out []scanned
	for _, f := range flows {
		edgeToo := want(weir.Trigger{Type: "deviceCommand", Key: "deviceCommand"})
		if f.ApplicationID != app || !f.Enabled || f.FlowClass != weir.FlowClassCloud && !(edgeToo && f.FlowClass == weir.FlowClassEdge) {
			continue
		}
		for _, t := range f.Triggers {
			if want(t) {
				out = append(out, scanned{f.ID, t.Type, t.Key})
			}
		}
	}
	return out
}

// indexCase fires one kind of event (with the index given, or none) and
// says which triggers a full scan finds for it.
type indexCase struct {
	name string
	fire func(ix triggers.Indexer, q *queue) error
	want func(weir.Trigger) bool
}

// TestTriggerIndexMatchesFullScan checks that the triggers served from the
// index start the runs a scan of every flow finds, in the same order.
func TestTriggerIndexMatchesFullScan(t *testing.T) {
	app, table := weir.NewID(), weir.NewID()
	tagged := &weir.Device{ID: weir.NewID(), ApplicationID: app, Tags: []weir.DeviceTag{{Key: "floor", Value: "9"}}}
	bare := &weir.Device{ID: weir.NewID(), ApplicationID: app}
	flows := indexFixture(app, tagged.ID, table)
	store := &fakeFlows{flows: flows}
	cache := &engine.FlowCache{Flows: store}
	tagHeld := func(d *weir.Device, key string) bool {
		k, v, ok := strings.Cut(key, "/")
		return ok && (k != "" || v != "") && d.HasTag(k, v)
	}
	device := func(d *weir.Device, idType, tagType string) func(weir.Trigger) bool {
		return func(t weir.Trigger) bool {
			return t.Type == idType && strings.EqualFold(t.Key, d.ID) || t.Type == tagType && tagHeld(d, t.Key)
		}
	}
	now := time.Now()
	state := []weir.DeviceState{{Time: now, Data: map[string]any{"t": 1.0}}}
	var tests []indexCase
	for _, d := range []*weir.Device{tagged, bare} {
		name := map[bool]string{true: "Tagged", false: "Bare"}[d == tagged]
		tests = append(tests,
			indexCase{"State" + name, func(ix triggers.Indexer, q *queue) error {
				return (&triggers.Devices{Flows: store, Queue: q, Index: ix}).DeviceStates(t.Context(), d, state)
			}, device(d, "deviceId", "deviceTag")},
			indexCase{"Connect" + name, func(ix triggers.Indexer, q *queue) error {
				return (&triggers.Devices{Flows: store, Queue: q, Index: ix}).DeviceConnection(t.Context(), d, true, nil)
			}, device(d, "deviceIdConnect", "deviceTagConnect")},
			indexCase{"Disconnect" + name, func(ix triggers.Indexer, q *queue) error {
				return (&triggers.Devices{Flows: store, Queue: q, Index: ix}).DeviceConnection(t.Context(), d, false, nil)
			}, device(d, "deviceIdDisconnect", "deviceTagDisconnect")},
		)
	}
	tests = append(tests, []indexCase{
		{"Create", func(ix triggers.Indexer, q *queue) error {
			return (&triggers.Devices{Flows: store, Queue: q, Index: ix}).DeviceCreated(t.Context(), bare)
		}, func(t weir.Trigger) bool { return t.Type == "deviceCreate" }},
		{"Command", func(ix triggers.Indexer, q *queue) error {
			c := &weir.DeviceCommand{Name: "go", Time: now}
			return (&triggers.Devices{Flows: store, Queue: q, Index: ix}).DeviceCommand(t.Context(), tagged, c)
		}, func(t weir.Trigger) bool {
			return t.Type == "deviceCommand" && (strings.EqualFold(t.Key, tagged.ID) || t.Key == "floor/9" || t.Key == "deviceCommand")
		}},
		{"TableInsert", func(ix triggers.Indexer, q *queue) error {
			row := &weir.DataTableRow{ID: weir.NewID(), Values: map[string]any{}}
			return (&triggers.DataTables{Flows: store, Queue: q, Index: ix}).RowsInserted(t.Context(), app, table, []*weir.DataTableRow{row}, false)
		}, func(t weir.Trigger) bool {
			return t.Type == "dataTable" && strings.EqualFold(t.Key, table) && strings.Contains(string(t.Config), `"insert":true`)
		}},
		{"EventInfo", func(ix triggers.Indexer, q *queue) error {
			e := &weir.Event{ID: weir.NewID(), ApplicationID: app, Level: "info", State: weir.EventNew, Subject: "s", LastUpdated: now}
			return (&triggers.Events{Flows: store, Queue: q, Index: ix}).EventsChanged(t.Context(), []*weir.Event{nil}, []*weir.Event{e})
		}, func(t weir.Trigger) bool {
			return t.Type == "event" && (t.Key == "any" || strings.EqualFold(t.Key, "info"))
		}},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := fullScan(flows, app, tt.want)
			if len(want) == 0 && !strings.HasSuffix(tt.name, "Bare") {
				t.Fatal("the fixture has no matching trigger")
			}
			for _, ix := range []triggers.Indexer{nil, cache} {
				q := &queue{}
				if err := tt.fire(ix, q); err != nil {
					t.Fatal(err)
				}
				var got []scanned
				for _, r := range q.runs {
					got = append(got, scanned{r.FlowID, r.TriggerType, r.TriggerKey})
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("index %s: runs differ from a full scan (-want +got):\n%s", fmt.Sprint(ix != nil), diff)
				}
			}
		})
	}
}
