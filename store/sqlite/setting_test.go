package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestSettingsConformance(t *testing.T) {
	storetest.RunSettings(t, func(t *testing.T) storetest.SettingStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

// TestSettingsSurviveReopenOK checks that a setting outlives the process.
func TestSettingsSurviveReopenOK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weir.db")
	db := mustOpenDB(t, path, nil)
	if _, err := db.LoadOrStoreSetting(t.Context(), "k", []byte("first")); err != nil {
		t.Fatal(err)
	}
	mustClose(t, db)
	db = mustOpenDB(t, path, nil)
	got, err := db.LoadOrStoreSetting(t.Context(), "k", []byte("second"))
	if err != nil || string(got) != "first" {
		t.Fatalf("LoadOrStoreSetting after reopening = %q, %v; want \"first\"", got, err)
	}
}
