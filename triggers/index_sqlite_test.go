package triggers_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/store/sqlite"
	"github.com/weirhq/weir/triggers"
)

// openSQLiteApp opens a SQLite store on disk holding one application.
func openSQLiteApp(tb testing.TB) (*sqlite.DB, string) {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	app := &weir.Application{Name: "plant", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(tb.Context(), app); err != nil {
		tb.Fatal(err)
	}
	return db, app.ID
}

// storedFlow creates an enabled cloud flow of app with triggers ts.
func storedFlow(tb testing.TB, db *sqlite.DB, app, name string, ts ...weir.Trigger) *weir.Flow {
	tb.Helper()
	f := &weir.Flow{ApplicationID: app, Name: name, Enabled: true, FlowClass: weir.FlowClassCloud}
	f.Triggers = ts
	if err := db.CreateFlow(tb.Context(), f); err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestTriggerIndexFollowsFlowChanges changes flows and versions in a SQLite
// store as the API does (then invalidating the cache): the next state
// report sees each change. A flow created behind the cache's back (another
// process) is seen once the cache's TTL has passed.
func TestTriggerIndexFollowsFlowChanges(t *testing.T) {
	ctx := t.Context()
	db, app := openSQLiteApp(t)
	clock := time.Now()
	cache := &engine.FlowCache{Flows: db, Versions: db, Applications: db, Now: func() time.Time { return clock }}
	q := &queue{}
	ds := &triggers.Devices{Flows: db, Versions: db, Queue: q, Index: cache}
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Tags: []weir.DeviceTag{{Key: "line", Value: "2"}}}
	report := func(step string, wantFlows ...string) {
		t.Helper()
		q.runs = nil
		if err := ds.DeviceStates(ctx, d, []weir.DeviceState{{DeviceID: d.ID, Time: time.Now(), Data: map[string]any{"t": 1.0}}}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range q.runs {
			got = append(got, r.FlowID+"@"+r.FlowVersion)
		}
		if fmt.Sprint(got) != fmt.Sprint(wantFlows) {
			t.Fatalf("%s: runs of %v, want %v", step, got, wantFlows)
		}
	}
	report("no flows")
	f := storedFlow(t, db, app, "by id", weir.Trigger{Type: "deviceId", Key: d.ID})
	cache.Invalidate()
	report("flow created", f.ID+"@develop")

	f.Enabled = false
	if err := db.UpdateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate()
	report("flow disabled")

	f.Enabled = true
	f.Triggers = []weir.Trigger{{Type: "deviceId", Key: weir.NewID()}}
	if err := db.UpdateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate()
	report("trigger rekeyed")

	v := &weir.FlowVersion{ApplicationID: app, FlowID: f.ID, Version: "v1", Enabled: true}
	v.Definition.Triggers = []weir.Trigger{{Type: "deviceTag", Key: "line/2"}}
	if err := db.CreateFlowVersion(ctx, v, false); err != nil {
		t.Fatal(err)
	}
	f.DefaultVersionID = &v.ID
	if err := db.UpdateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate()
	report("default version with a tag trigger", f.ID+"@v1")

	off := false
	if _, err := db.UpdateFlowVersion(ctx, app, f.ID, "v1", weir.FlowVersionUpdate{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate()
	report("default version disabled")

	g := storedFlow(t, db, app, "by tag", weir.Trigger{Type: "deviceTag", Key: "line/"})
	report("created behind the cache, within TTL")
	clock = clock.Add(engine.DefaultCacheTTL)
	report("created behind the cache, past TTL", g.ID+"@develop")

	if err := db.DeleteFlow(ctx, app, g.ID); err != nil {
		t.Fatal(err)
	}
	cache.Invalidate()
	report("flow deleted")
}

// BenchmarkDeviceStates reports one state of one device in an application
// of 50 flows, of which one has a trigger for the device: with the trigger
// index, and reading the flows on each report (Index nil).
func BenchmarkDeviceStates(b *testing.B) {
	db, app := openSQLiteApp(b)
	d := &weir.Device{ID: weir.NewID(), ApplicationID: app, Tags: []weir.DeviceTag{{Key: "line", Value: "2"}}}
	for i := range 50 {
		key := weir.NewID()
		if i == 25 {
			key = d.ID
		}
		storedFlow(b, db, app, fmt.Sprintf("flow %d", i), weir.Trigger{Type: "deviceId", Key: key},
			weir.Trigger{Type: "deviceTag", Key: fmt.Sprintf("line/%d", i+10)}, weir.Trigger{Type: "webhook", Key: weir.NewID()})
	}
	states := []weir.DeviceState{{DeviceID: d.ID, Time: time.Now(), Data: map[string]any{"t": 1.0}}}
	for _, tc := range []struct {
		name  string
		index triggers.Indexer
	}{{"index", &engine.FlowCache{Flows: db, Versions: db}}, {"scan", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			q := &queue{}
			ds := &triggers.Devices{Flows: db, Versions: db, Queue: q, Index: tc.index}
			b.ReportAllocs()
			for b.Loop() {
				q.runs = q.runs[:0]
				if err := ds.DeviceStates(b.Context(), d, states); err != nil || len(q.runs) != 1 {
					b.Fatalf("%d runs, %v", len(q.runs), err)
				}
			}
		})
	}
}
