package storetest

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir"
)

// recipeOf returns a valid recipe named name with a tag and an attribute
// carrying attribute tags and system settings.
func recipeOf(appID, name string) *weir.DeviceRecipe {
	return &weir.DeviceRecipe{
		ApplicationID: appID, Name: name, Description: "a recipe", DeviceName: "Sensor", DeviceDescription: "made from it",
		DeviceClass: weir.DeviceGateway, SystemInterval: 30, KeepDuplicates: true,
		Tags: []weir.DeviceTag{{Key: "kind", Value: "sensor"}},
		Attributes: []weir.RecipeAttribute{{
			DeviceAttribute: weir.DeviceAttribute{Name: "temp", DataType: weir.AttributeNumber, Description: "°C"},
			AttributeTags:   map[string]string{"unit": "C"},
			System:          json.RawMessage(`{"aggregation":"MEAN"}`),
		}},
	}
}

func testDeviceRecipes(t *testing.T, open func(t *testing.T) DeviceStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	r := recipeOf(a.ID, "Beta")
	if err := s.CreateDeviceRecipe(t.Context(), r); err != nil {
		t.Fatalf("CreateDeviceRecipe: %v", err)
	}
	if !weir.ValidID(r.ID) {
		t.Fatalf("ID = %q, want a generated id", r.ID)
	}
	checkTimeSet(t, "CreationDate", r.CreationDate)
	t.Run("FindOK", func(t *testing.T) {
		got, err := s.FindDeviceRecipeByID(t.Context(), a.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "recipe", got, r)
	})
	t.Run("ListOK", func(t *testing.T) {
		alpha := recipeOf(a.ID, "alpha")
		alpha.Attributes, alpha.Tags = nil, nil
		if err := s.CreateDeviceRecipe(t.Context(), alpha); err != nil {
			t.Fatal(err)
		}
		if len(alpha.Tags) != 0 || alpha.Tags == nil || alpha.Attributes == nil {
			t.Fatalf("tags %v, attributes %v; want empty lists", alpha.Tags, alpha.Attributes)
		}
		got, n, err := s.FindDeviceRecipes(t.Context(), weir.DeviceRecipeFilter{ApplicationID: a.ID})
		if err != nil || n != 2 || len(got) != 2 || got[0].Name != "alpha" || got[1].Name != "Beta" {
			t.Fatalf("FindDeviceRecipes = %v, %d, %v; want alpha, Beta", got, n, err)
		}
		got, n, err = s.FindDeviceRecipes(t.Context(), weir.DeviceRecipeFilter{ApplicationID: a.ID,
			ListOptions: weir.ListOptions{Filter: "BE*", FilterField: "name", PerPage: 1}})
		if err != nil || n != 1 || len(got) != 1 || got[0].ID != r.ID {
			t.Fatalf("filtered = %v, %d, %v; want Beta", got, n, err)
		}
		_, _, err = s.FindDeviceRecipes(t.Context(), weir.DeviceRecipeFilter{ApplicationID: a.ID,
			ListOptions: weir.ListOptions{SortField: "deviceClass"}})
		checkError(t, err, weir.Validation, "")
	})
	t.Run("UpdateOK", func(t *testing.T) {
		u := *r
		u.Name, u.Tags, u.DeviceClass = "Gamma", nil, ""
		if err := s.UpdateDeviceRecipe(t.Context(), &u); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindDeviceRecipeByID(t.Context(), a.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Gamma" || len(got.Tags) != 0 || got.DeviceClass != weir.DeviceStandalone || !got.CreationDate.Equal(r.CreationDate) {
			t.Fatalf("updated = %+v, want Gamma, no tags, standalone, the creation date kept", got)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		bad := recipeOf(a.ID, "")
		checkError(t, s.CreateDeviceRecipe(t.Context(), bad), weir.Validation, "")
		bad = recipeOf(a.ID, "x")
		bad.Attributes = append(bad.Attributes, bad.Attributes[0])
		checkError(t, s.CreateDeviceRecipe(t.Context(), bad), weir.Validation, "")
		checkError(t, s.CreateDeviceRecipe(t.Context(), recipeOf("5a1b2c3d4e5f60718293a4b5", "x")), weir.NotFound, "Application was not found")
		dup := recipeOf(a.ID, "dup")
		dup.ID = r.ID
		checkError(t, s.CreateDeviceRecipe(t.Context(), dup), weir.Validation, "")
		other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
		_, err := s.FindDeviceRecipeByID(t.Context(), other.ID, r.ID)
		checkError(t, err, weir.NotFound, "Device recipe was not found")
		moved := *r
		moved.ApplicationID = other.ID
		checkError(t, s.UpdateDeviceRecipe(t.Context(), &moved), weir.NotFound, "Device recipe was not found")
		checkError(t, s.DeleteDeviceRecipe(t.Context(), other.ID, r.ID), weir.NotFound, "Device recipe was not found")
	})
	t.Run("DeleteOK", func(t *testing.T) {
		if err := s.DeleteDeviceRecipe(t.Context(), a.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindDeviceRecipeByID(t.Context(), a.ID, r.ID)
		checkError(t, err, weir.NotFound, "Device recipe was not found")
	})
}
