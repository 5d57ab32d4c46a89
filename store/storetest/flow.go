package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// fullFlow returns a flow of application appID with every field set; raw
// configs carry whitespace that stores may drop.
func fullFlow(appID string) *weir.Flow {
	version := weir.NewID()
	return &weir.Flow{
		ApplicationID:      appID,
		Name:               "Temperature alerts",
		Description:        "Alerts when it gets hot",
		ShortDescription:   "alerts",
		IconData:           "data:image/png;base64,AAAA",
		DocsURL:            "https://example.com/docs",
		Category:           "monitoring",
		Enabled:            true,
		FlowClass:          weir.FlowClassCustomNode,
		DefaultVersionID:   &version,
		CustomNodeSupports: []string{"cloud", "edge"},
		CreatedByID:        "5a1b2c3d4e5f60718293a4b5",
		CreatedByType:      weir.OwnerUser,
		LastUpdatedByID:    "5a1b2c3d4e5f60718293a4b6",
		LastUpdatedByType:  weir.OwnerApplication,
		Weir:               weir.FlowSettings{KeepPayloads: true},
		Definition: weir.Definition{
			Triggers: []weir.Trigger{{
				Key:       "abc-button",
				Type:      "virtualButton",
				Config:    json.RawMessage(`{ "payload" : "{\"a\": 1}" }`),
				Meta:      json.RawMessage(`{"x": 100, "y": 80, "label": "Press"}`),
				OutputIDs: [][]string{{"n1"}},
			}},
			Nodes: []weir.Node{
				{
					ID:        "n1",
					Type:      "ConditionalNode",
					Config:    json.RawMessage(`{"expression": "{{data.temp}} > 5", "nested": {"list": [1, 2.50, null, true]}}`),
					Meta:      json.RawMessage(`{"label": "Hot?", "groupId": ""}`),
					OutputIDs: [][]string{{}, {"n2"}},
				},
				{ID: "n2", Type: "DebugNode", Config: json.RawMessage(`{"message":"hot"}`)},
			},
			Globals:             []weir.Global{{Key: "limit", JSON: `5`}},
			MinimumAgentVersion: "1.20.0",
			CustomNodeConfig:    json.RawMessage(`{"outputCount": 2, "fields": []}`),
		},
	}
}

func testFlows(t *testing.T, open func(t *testing.T) Store) {
	t.Run("CreateFindOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		f := fullFlow(a.ID)
		if err := s.CreateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		if !weir.ValidID(f.ID) {
			t.Fatalf("ID = %q, want a 24-hex-digit id", f.ID)
		}
		checkTimeSet(t, "CreationDate", f.CreationDate)
		checkTimeSet(t, "LastUpdated", f.LastUpdated)
		got, err := s.FindFlowByID(t.Context(), a.ID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "flow", got, f)
		if got.Stats.RunCount != 0 || got.Stats.ErrorCount != 0 || len(got.Stats.ByVersion) != 0 {
			t.Fatalf("stats of a new flow = %+v, want zero", got.Stats)
		}
	})

	t.Run("CreateApplicationNotFound", func(t *testing.T) {
		s := open(t)
		err := s.CreateFlow(t.Context(), &weir.Flow{ApplicationID: weir.NewID(), Name: "f", FlowClass: weir.FlowClassCloud})
		checkError(t, err, weir.NotFound, "Application was not found")
	})

	t.Run("CreateErrDuplicateID", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		err := s.CreateFlow(t.Context(), &weir.Flow{ID: f.ID, ApplicationID: f.ApplicationID, Name: "again", FlowClass: weir.FlowClassCloud})
		checkError(t, err, weir.Validation, "")
	})

	t.Run("FindNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		_, err := s.FindFlowByID(t.Context(), f.ApplicationID, weir.NewID())
		checkError(t, err, weir.NotFound, "Flow was not found")
	})

	t.Run("FindOtherApplicationNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		_, err := s.FindFlowByID(t.Context(), other.ID, f.ID)
		checkError(t, err, weir.NotFound, "Flow was not found")
	})

	t.Run("UpdateKeepsStatsOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		f := mustCreateFlow(t, s, fullFlow(a.ID))
		mustLog(t, s, f, &weir.LogEntry{Time: ms(time.Now()), RunCount: 1, PathsFailed: 1})

		upd := *fullFlow(a.ID)
		upd.ID, upd.Name, upd.Enabled, upd.FlowClass = f.ID, "renamed", false, weir.FlowClassCloud
		upd.DefaultVersionID, upd.CustomNodeSupports, upd.CustomNodeConfig = nil, nil, nil
		upd.Nodes = upd.Nodes[1:]
		upd.Triggers[0].OutputIDs = [][]string{{"n2"}}
		if err := s.UpdateFlow(t.Context(), &upd); err != nil {
			t.Fatal(err)
		}
		if !upd.CreationDate.Equal(f.CreationDate) || upd.LastUpdated.Before(f.LastUpdated) {
			t.Fatalf("dates after update = %v, %v; want creation %v and lastUpdated >= %v",
				upd.CreationDate, upd.LastUpdated, f.CreationDate, f.LastUpdated)
		}
		got, err := s.FindFlowByID(t.Context(), a.ID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := upd
		want.Stats = weir.FlowStats{RunCount: 1, ErrorCount: 1, ByVersion: map[string]weir.VersionStats{
			weir.DevelopVersion: {RunCount: 1, ErrorCount: 1},
		}}
		checkDiff(t, "flow", got, &want)
	})

	t.Run("UpdateNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		upd := *f
		upd.ID = weir.NewID()
		checkError(t, s.UpdateFlow(t.Context(), &upd), weir.NotFound, "Flow was not found")
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		upd = *f
		upd.ApplicationID = other.ID
		checkError(t, s.UpdateFlow(t.Context(), &upd), weir.NotFound, "Flow was not found")
	})

	t.Run("DeleteOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindFlowByID(t.Context(), f.ApplicationID, f.ID)
		checkError(t, err, weir.NotFound, "Flow was not found")
		if _, err := s.FindApplicationByID(t.Context(), f.ApplicationID); err != nil {
			t.Fatalf("application after DeleteFlow: %v", err)
		}
	})

	t.Run("DeleteNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		checkError(t, s.DeleteFlow(t.Context(), f.ApplicationID, weir.NewID()), weir.NotFound, "Flow was not found")
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		checkError(t, s.DeleteFlow(t.Context(), other.ID, f.ID), weir.NotFound, "Flow was not found")
		if _, err := s.FindFlowByID(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatalf("flow after DeleteFlow from another application: %v", err)
		}
	})

	t.Run("DeleteCascadesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		other := mustCreateFlow(t, s, &weir.Flow{ApplicationID: f.ApplicationID, Name: "other"})
		for _, fl := range []*weir.Flow{f, other} {
			if err := s.SetStorageEntry(t.Context(), fl.ID, "k", []byte(`"v"`)); err != nil {
				t.Fatal(err)
			}
			mustLog(t, s, fl, &weir.LogEntry{Time: ms(time.Now()), RunCount: 1})
		}
		mustEnqueue(t, s, f, `{}`)
		mustEnqueue(t, s, f, `{}`)
		kept := mustEnqueue(t, s, other, `{}`)

		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		checkStorageLen(t, s, f.ID, 0)
		checkStorageLen(t, s, other.ID, 1)
		checkLogLen(t, s, f.ID, 0)
		checkLogLen(t, s, other.ID, 1)
		runs := claimAll(t, s, 1)
		if runs[kept.ID] == nil {
			t.Fatalf("claimed %v, want only the other flow's run %s", runs, kept.ID)
		}
		checkQueueEmpty(t, s)
	})

	t.Run("FindFlowsScopeAndClassOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
		mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: "a-cloud", FlowClass: weir.FlowClassCloud})
		mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: "a-edge", FlowClass: weir.FlowClassEdge})
		mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: "a-edge2", FlowClass: weir.FlowClassEdge})
		mustCreateFlow(t, s, &weir.Flow{ApplicationID: b.ID, Name: "b-edge", FlowClass: weir.FlowClassEdge})
		for _, tc := range []struct {
			app, class string
			want       []string
		}{
			{a.ID, "", []string{"a-cloud", "a-edge", "a-edge2"}},
			{a.ID, weir.FlowClassEdge, []string{"a-edge", "a-edge2"}},
			{a.ID, weir.FlowClassEmbedded, nil},
			{b.ID, "", []string{"b-edge"}},
		} {
			fs, n, err := s.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: tc.app, FlowClass: tc.class,
				ListOptions: weir.ListOptions{SortField: "name"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				if f.ApplicationID != tc.app {
					t.Errorf("flow %s of application %s listed for %s", f.Name, f.ApplicationID, tc.app)
				}
				got = append(got, f.Name)
			}
			checkDiff(t, "flows", got, tc.want)
			if n != len(tc.want) {
				t.Errorf("app %s class %q: total = %d, want %d", tc.app, tc.class, n, len(tc.want))
			}
		}
	})

	t.Run("FindFlowsFullOK", func(t *testing.T) {
		s := open(t)
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		f := mustCreateFlow(t, s, fullFlow(a.ID))
		fs, _, err := s.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "flows", fs, []*weir.Flow{f})
	})

	testList(t, open, func(t *testing.T, s Store) collection {
		a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
		mustCreateFlow(t, s, &weir.Flow{ApplicationID: mustCreateApplication(t, s, &weir.Application{Name: "b"}).ID, Name: "delta"})
		return collection{
			create: func(t *testing.T, name string) {
				mustCreateFlow(t, s, &weir.Flow{ApplicationID: a.ID, Name: name})
			},
			find: func(t *testing.T, opts weir.ListOptions) ([]item, int, error) {
				fs, n, err := s.FindFlows(t.Context(), weir.FlowFilter{ApplicationID: a.ID, ListOptions: opts})
				var items []item
				for _, f := range fs {
					items = append(items, item{f.ID, f.Name, f.CreationDate, f.LastUpdated})
				}
				return items, n, err
			},
		}
	})
}
