package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// VersionStore is a store that also keeps flow versions.
type VersionStore interface {
	Store
	weir.FlowVersionService
}

// RunFlowVersions runs the flow version suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
//
// Besides FlowVersionService's documented contract, the suite pins down:
// names are case-sensitive; a version's Stats are those logged under its
// name; deleting a flow or its application deletes its versions.
func RunFlowVersions(t *testing.T, open func(t *testing.T) VersionStore) {
	t.Run("CreateFindOK", func(t *testing.T) { testVersionCreateFind(t, open) })
	t.Run("Create", func(t *testing.T) { testVersionCreateErrors(t, open) })
	t.Run("Replace", func(t *testing.T) { testVersionReplace(t, open) })
	t.Run("Find", func(t *testing.T) { testVersionFind(t, open) })
	t.Run("List", func(t *testing.T) { testVersionList(t, open) })
	t.Run("Update", func(t *testing.T) { testVersionUpdate(t, open) })
	t.Run("Delete", func(t *testing.T) { testVersionDelete(t, open) })
	t.Run("Stats", func(t *testing.T) { testVersionStats(t, open) })
}

// versionOf returns a version named name of f, snapshotting f's definition.
func versionOf(f *weir.Flow, name string) *weir.FlowVersion {
	return &weir.FlowVersion{
		FlowID:            f.ID,
		ApplicationID:     f.ApplicationID,
		Version:           name,
		Notes:             "notes of " + name,
		Enabled:           true,
		CreatedByID:       "5a1b2c3d4e5f60718293a4b5",
		CreatedByType:     weir.OwnerUser,
		LastUpdatedByID:   "5a1b2c3d4e5f60718293a4b5",
		LastUpdatedByType: weir.OwnerUser,
		Definition:        f.Definition,
	}
}

func mustCreateVersion(t *testing.T, s VersionStore, v *weir.FlowVersion) *weir.FlowVersion {
	t.Helper()
	if err := s.CreateFlowVersion(t.Context(), v, false); err != nil {
		t.Fatalf("CreateFlowVersion(%q): %v", v.Version, err)
	}
	return v
}

// mustFullFlow creates an application with one flow whose every field is set.
func mustFullFlow(t *testing.T, s VersionStore) *weir.Flow {
	t.Helper()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	f := fullFlow(a.ID)
	f.FlowClass, f.DefaultVersionID = weir.FlowClassCloud, nil
	return mustCreateFlow(t, s, f)
}

func testVersionCreateFind(t *testing.T, open func(t *testing.T) VersionStore) {
	s := open(t)
	f := mustFullFlow(t, s)
	v := versionOf(f, "v1.0")
	v.FlowClass = weir.FlowClassEdge // the store takes the flow's
	mustCreateVersion(t, s, v)
	if !weir.ValidID(v.ID) {
		t.Fatalf("ID = %q, want a 24-hex-digit id", v.ID)
	}
	if v.FlowClass != weir.FlowClassCloud {
		t.Fatalf("FlowClass = %q, want the flow's %q", v.FlowClass, weir.FlowClassCloud)
	}
	checkTimeSet(t, "CreationDate", v.CreationDate)
	checkTimeSet(t, "LastUpdated", v.LastUpdated)
	for _, key := range []string{v.ID, strings.ToUpper(v.ID), "v1.0"} {
		got, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, key)
		if err != nil {
			t.Fatalf("FindFlowVersion(%q): %v", key, err)
		}
		checkDiff(t, "version found by "+key, got, v)
	}
}

func testVersionCreateErrors(t *testing.T, open func(t *testing.T) VersionStore) {
	t.Run("ErrFlowNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := versionOf(f, "v1")
		v.FlowID = weir.NewID()
		checkError(t, s.CreateFlowVersion(t.Context(), v, false), weir.NotFound, "Flow was not found")
	})
	t.Run("ErrOtherApplication", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		v := versionOf(f, "v1")
		v.ApplicationID = other.ID
		checkError(t, s.CreateFlowVersion(t.Context(), v, false), weir.NotFound, "Flow was not found")
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustCreateVersion(t, s, versionOf(f, "v1"))
		checkError(t, s.CreateFlowVersion(t.Context(), versionOf(f, "v1"), false), weir.Validation, "")
	})
	t.Run("ErrReservedName", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		for _, name := range []string{"", "develop", "default", strings.Repeat("x", 256)} {
			checkError(t, s.CreateFlowVersion(t.Context(), versionOf(f, name), true), weir.Validation, "")
		}
	})
	t.Run("ErrDuplicateID", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v1 := mustCreateVersion(t, s, versionOf(f, "v1"))
		v2 := versionOf(f, "v2")
		v2.ID = v1.ID
		checkError(t, s.CreateFlowVersion(t.Context(), v2, false), weir.Validation, "")
	})
	t.Run("SameNameOtherFlowOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		g := mustCreateFlow(t, s, &weir.Flow{ApplicationID: f.ApplicationID, Name: "g"})
		mustCreateVersion(t, s, versionOf(f, "v1"))
		mustCreateVersion(t, s, versionOf(g, "v1"))
		mustCreateVersion(t, s, versionOf(f, "V1")) // names are case-sensitive
	})
}

func testVersionReplace(t *testing.T, open func(t *testing.T) VersionStore) {
	s := open(t)
	f := mustFullFlow(t, s)
	old := mustCreateVersion(t, s, versionOf(f, "v1"))

	repl := versionOf(f, "v1")
	repl.Notes, repl.Enabled = "replaced", false
	repl.CreatedByID, repl.LastUpdatedByID = weir.NewID(), weir.NewID()
	repl.Definition = weir.Definition{Nodes: []weir.Node{{ID: "only", Type: "DebugNode"}}, Globals: []weir.Global{{Key: "k", JSON: `"v"`}}}
	if err := s.CreateFlowVersion(t.Context(), repl, true); err != nil {
		t.Fatal(err)
	}
	if repl.ID != old.ID || !repl.CreationDate.Equal(old.CreationDate) || repl.CreatedByID != old.CreatedByID {
		t.Fatalf("replacement = id %s created %v by %s, want the replaced version's %s, %v, %s",
			repl.ID, repl.CreationDate, repl.CreatedByID, old.ID, old.CreationDate, old.CreatedByID)
	}
	got, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1")
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "replaced version", got, repl)
	if _, n, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID}); err != nil || n != 1 {
		t.Fatalf("FindFlowVersions after replace = %d, %v; want 1 version", n, err)
	}

	// A replacement without an existing version just creates it.
	fresh := versionOf(f, "v2")
	if err := s.CreateFlowVersion(t.Context(), fresh, true); err != nil {
		t.Fatal(err)
	}
	if fresh.ID == "" || fresh.ID == old.ID {
		t.Fatalf("new version by replacement got id %q", fresh.ID)
	}
}

func testVersionFind(t *testing.T, open func(t *testing.T) VersionStore) {
	s := open(t)
	f := mustAppFlow(t, s)
	v := mustCreateVersion(t, s, versionOf(f, "v1"))
	g := mustCreateFlow(t, s, &weir.Flow{ApplicationID: f.ApplicationID, Name: "g"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	tests := []struct {
		name, appID, flowID, key string
	}{
		{"UnknownName", f.ApplicationID, f.ID, "v2"},
		{"NameCase", f.ApplicationID, f.ID, "V1"},
		{"UnknownID", f.ApplicationID, f.ID, weir.NewID()},
		{"Develop", f.ApplicationID, f.ID, weir.DevelopVersion},
		{"OtherFlow", f.ApplicationID, g.ID, v.ID},
		{"OtherFlowByName", f.ApplicationID, g.ID, "v1"},
		{"OtherApplication", other.ID, f.ID, v.ID},
		{"MissingFlow", f.ApplicationID, weir.NewID(), "v1"},
	}
	for _, tc := range tests {
		t.Run("ErrNotFound"+tc.name, func(t *testing.T) {
			_, err := s.FindFlowVersion(t.Context(), tc.appID, tc.flowID, tc.key)
			checkError(t, err, weir.NotFound, "Flow version was not found")
		})
	}
	t.Run("NameLooksLikeIDOK", func(t *testing.T) {
		name := weir.NewID()
		w := mustCreateVersion(t, s, versionOf(f, name))
		got, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, name)
		if err != nil || got.ID != w.ID {
			t.Fatalf("FindFlowVersion(name %q) = %v, %v; want version %s", name, got, err, w.ID)
		}
	})
}

func testVersionList(t *testing.T, open func(t *testing.T) VersionStore) {
	s := open(t)
	f := mustAppFlow(t, s)
	g := mustCreateFlow(t, s, &weir.Flow{ApplicationID: f.ApplicationID, Name: "g"})
	mustCreateVersion(t, s, versionOf(g, "elsewhere"))
	created := []string{"v2", "beta", "V10", "v1", "alpha_1"} // creation order, ids ascending
	ids := make([]string, len(created))
	for i := range ids {
		ids[i] = weir.NewID()
	}
	slices.Sort(ids)
	for i, name := range created {
		v := versionOf(f, name)
		v.ID = ids[i]
		mustCreateVersion(t, s, v)
	}
	list := func(t *testing.T, opts weir.ListOptions) ([]string, int) {
		t.Helper()
		vs, n, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID, ListOptions: opts})
		if err != nil {
			t.Fatalf("FindFlowVersions(%+v): %v", opts, err)
		}
		var out []string
		for _, v := range vs {
			if v.FlowID != f.ID {
				t.Fatalf("version %s of flow %s listed for flow %s", v.Version, v.FlowID, f.ID)
			}
			out = append(out, v.Version)
		}
		return out, n
	}
	byName := []string{"alpha_1", "beta", "v1", "V10", "v2"}
	tests := []struct {
		name      string
		opts      weir.ListOptions
		want      []string
		wantTotal int
	}{
		{"DefaultSortVersion", weir.ListOptions{}, byName, 5},
		{"SortVersionDesc", weir.ListOptions{SortField: "version", SortDirection: "desc"}, reversed(byName), 5},
		{"SortCreationDate", weir.ListOptions{SortField: "creationDate"}, created, 5},
		{"SortID", weir.ListOptions{SortField: "id"}, created, 5},
		{"SortLastUpdatedDesc", weir.ListOptions{SortField: "lastUpdated", SortDirection: "desc"}, reversed(created), 5},
		{"Page", weir.ListOptions{PerPage: 2, Page: 1}, []string{"v1", "V10"}, 5},
		{"PageBeyond", weir.ListOptions{PerPage: 2, Page: 9}, nil, 5},
		{"Filter", weir.ListOptions{FilterField: "version", Filter: "V1"}, []string{"v1", "V10"}, 2},
		{"FilterGlob", weir.ListOptions{FilterField: "version", Filter: "a*1"}, []string{"alpha_1"}, 1},
		{"FilterUnderscoreLiteral", weir.ListOptions{FilterField: "version", Filter: "a_"}, []string{"alpha_1"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, n := list(t, tc.opts) // equal dates sort by id
			checkDiff(t, "versions", got, tc.want)
			if n != tc.wantTotal {
				t.Fatalf("total = %d, want %d", n, tc.wantTotal)
			}
		})
	}
	for _, opts := range []weir.ListOptions{{SortField: "name"}, {FilterField: "name", Filter: "v"}} {
		_, _, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID, ListOptions: opts})
		checkError(t, err, weir.Validation, "")
	}
	if vs, n, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: weir.NewID()}); err != nil || n != 0 || len(vs) != 0 {
		t.Fatalf("versions of a missing flow = %d (%d), %v; want none", len(vs), n, err)
	}
}

func testVersionUpdate(t *testing.T, open func(t *testing.T) VersionStore) {
	t.Run("OnlyNotesAndEnabledOK", func(t *testing.T) {
		s := open(t)
		f := mustFullFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		notes, off := "new notes", false
		by := weir.NewID()
		got, err := s.UpdateFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1",
			weir.FlowVersionUpdate{Notes: &notes, Enabled: &off, LastUpdatedByID: by, LastUpdatedByType: "apiToken"})
		if err != nil {
			t.Fatal(err)
		}
		want := *v
		want.Notes, want.Enabled, want.LastUpdatedByID, want.LastUpdatedByType = notes, false, by, "apiToken"
		want.LastUpdated = got.LastUpdated
		checkTimeSet(t, "LastUpdated", got.LastUpdated)
		checkDiff(t, "updated version", got, &want)
		found, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "stored version", found, &want)

		// Nil fields stay.
		got, err = s.UpdateFlowVersion(t.Context(), f.ApplicationID, f.ID, v.ID, weir.FlowVersionUpdate{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Notes != notes || got.Enabled {
			t.Fatalf("empty update changed notes/enabled to %q/%v", got.Notes, got.Enabled)
		}
	})
	t.Run("FlowEditsLeaveVersionsOK", func(t *testing.T) {
		s := open(t)
		f := mustFullFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		f, err := s.FindFlowByID(t.Context(), f.ApplicationID, f.ID) // shares nothing with v
		if err != nil {
			t.Fatal(err)
		}
		f.Nodes = f.Nodes[1:]
		f.Triggers[0].OutputIDs = [][]string{{"n2"}}
		f.Globals = nil
		if err := s.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "version after a develop edit", got.Definition, v.Definition)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustCreateVersion(t, s, versionOf(f, "v1"))
		notes := "x"
		for _, key := range []string{"v2", weir.NewID(), weir.DevelopVersion} {
			_, err := s.UpdateFlowVersion(t.Context(), f.ApplicationID, f.ID, key, weir.FlowVersionUpdate{Notes: &notes})
			checkError(t, err, weir.NotFound, "Flow version was not found")
		}
	})
}

func testVersionDelete(t *testing.T, open func(t *testing.T) VersionStore) {
	t.Run("OK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		keep := mustCreateVersion(t, s, versionOf(f, "v2"))
		if err := s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, v.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1")
		checkError(t, err, weir.NotFound, "Flow version was not found")
		if _, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, keep.ID); err != nil {
			t.Fatalf("other version: %v", err)
		}
		if err := s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, "v2"); err != nil {
			t.Fatalf("delete by name: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		checkError(t, s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, "v2"), weir.NotFound, "Flow version was not found")
		checkError(t, s.DeleteFlowVersion(t.Context(), other.ID, f.ID, v.ID), weir.NotFound, "Flow version was not found")
	})
	t.Run("ErrDevelop", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		checkError(t, s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, weir.DevelopVersion), weir.Validation, "")
	})
	t.Run("ErrDefault", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		f.DefaultVersionID = &v.ID
		if err := s.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		checkError(t, s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1"), weir.Validation, "")
		f.DefaultVersionID = nil
		if err := s.UpdateFlow(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1"); err != nil {
			t.Fatalf("delete once no longer the default: %v", err)
		}
	})
	t.Run("FlowCascadesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		checkVersionGone(t, s, f, v)
	})
	t.Run("ApplicationCascadesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		v := mustCreateVersion(t, s, versionOf(f, "v1"))
		if err := s.DeleteApplication(t.Context(), f.ApplicationID); err != nil {
			t.Fatal(err)
		}
		checkVersionGone(t, s, f, v)
	})
}

// checkVersionGone fails t if v of f can still be found or listed.
func checkVersionGone(t *testing.T, s VersionStore, f *weir.Flow, v *weir.FlowVersion) {
	t.Helper()
	_, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, v.ID)
	checkError(t, err, weir.NotFound, "Flow version was not found")
	vs, n, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID})
	if err != nil || n != 0 || len(vs) != 0 {
		t.Fatalf("versions of a deleted flow = %d (%d), %v; want none", len(vs), n, err)
	}
}

func testVersionStats(t *testing.T, open func(t *testing.T) VersionStore) {
	s := open(t)
	f := mustAppFlow(t, s)
	v := mustCreateVersion(t, s, versionOf(f, "v1"))
	mustCreateVersion(t, s, versionOf(f, "v2"))
	now := ms(time.Now())
	mustLog(t, s, f, &weir.LogEntry{FlowVersion: "v1", FlowVersionID: v.ID, Time: now, RunCount: 1, PathsFailed: 1})
	mustLog(t, s, f, &weir.LogEntry{FlowVersion: "v1", FlowVersionID: v.ID, Time: now, RunCount: 1, PathsCompleted: 1})
	mustLog(t, s, f, &weir.LogEntry{Time: now, RunCount: 1})

	want := weir.VersionStats{RunCount: 2, ErrorCount: 1}
	got, err := s.FindFlowVersion(t.Context(), f.ApplicationID, f.ID, "v1")
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "found stats", got.Stats, want)
	vs, _, err := s.FindFlowVersions(t.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID})
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "listed stats", map[string]weir.VersionStats{vs[0].Version: vs[0].Stats, vs[1].Version: vs[1].Stats},
		map[string]weir.VersionStats{"v1": want, "v2": {}})

	entries, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{FlowVersionID: v.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("log entries of version %s = %d, want 2", v.ID, len(entries))
	}
	if entries[0].FlowVersion != "v1" {
		t.Fatalf("entry version = %q, want v1", entries[0].FlowVersion)
	}
}
