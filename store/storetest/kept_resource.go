package storetest

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir"
)

// testKeptResources: kept dashboards, notebooks and resource jobs come
// back as stored, oldest first, by application and kind; bad ones and
// ones of a missing application are refused and change nothing; deleting
// the application deletes them.
func testKeptResources(t *testing.T, open func(t *testing.T) ViewStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "a"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	var made []*weir.KeptResource
	for _, k := range []*weir.KeptResource{
		{ApplicationID: a.ID, Kind: weir.KeptDashboard, Name: "first", Document: json.RawMessage(`{"name":"first","blocks":[{"blockType":"image"}]}`)},
		{ApplicationID: a.ID, Kind: weir.KeptDashboard, Name: "second", Document: json.RawMessage(`{"name":"second"}`)},
		{ApplicationID: a.ID, Kind: weir.KeptResourceJob, Name: "job", Document: json.RawMessage(`{"name":"job","iterationDelay":5000}`)},
		{ApplicationID: b.ID, Kind: weir.KeptDashboard, Name: "other", Document: json.RawMessage(`{"name":"other"}`)},
	} {
		if err := s.CreateKeptResource(ctx, k); err != nil {
			t.Fatal(err)
		}
		if !weir.ValidID(k.ID) {
			t.Fatalf("id %q", k.ID)
		}
		checkTimeSet(t, "CreationDate", k.CreationDate)
		made = append(made, k)
	}
	got, err := s.FindKeptResources(ctx, a.ID, weir.KeptDashboard)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "dashboards of a", got, made[:2])
	got, _ = s.FindKeptResources(ctx, a.ID, weir.KeptResourceJob)
	checkDiff(t, "resource jobs of a", got, made[2:3])
	if got, _ := s.FindKeptResources(ctx, a.ID, weir.KeptNotebook); len(got) != 0 {
		t.Errorf("notebooks of a = %v, want none", got)
	}

	for _, bad := range []*weir.KeptResource{
		{ApplicationID: a.ID, Kind: "widget", Name: "x", Document: json.RawMessage(`{}`)},
		{ApplicationID: a.ID, Kind: weir.KeptNotebook, Name: "", Document: json.RawMessage(`{}`)},
		{ApplicationID: a.ID, Kind: weir.KeptNotebook, Name: "x", Document: json.RawMessage(`[1]`)},
		{ApplicationID: a.ID, Kind: weir.KeptNotebook, Name: "x", Document: json.RawMessage(`null`)},
	} {
		checkError(t, s.CreateKeptResource(ctx, bad), weir.Validation, "")
	}
	checkError(t, s.CreateKeptResource(ctx, &weir.KeptResource{ApplicationID: weir.NewID(), Kind: weir.KeptNotebook, Name: "x",
		Document: json.RawMessage(`{}`)}), weir.NotFound, "Application was not found")
	if got, _ := s.FindKeptResources(ctx, a.ID, weir.KeptNotebook); len(got) != 0 {
		t.Errorf("a refused notebook was stored: %v", got)
	}

	if err := s.DeleteApplication(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindKeptResources(ctx, a.ID, weir.KeptDashboard); len(got) != 0 {
		t.Errorf("dashboards of a deleted application: %v", got)
	}
	if got, _ := s.FindKeptResources(ctx, b.ID, weir.KeptDashboard); len(got) != 1 {
		t.Errorf("b's dashboards after a's deletion: %v", got)
	}
}
