package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/sqlite"
	"github.com/weirhq/weir/store/storetest"
)

func TestStorageKeyCap(t *testing.T) {
	storetest.RunStorageKeyCap(t, func(t *testing.T, maxKeys int) storetest.Store {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), func(db *sqlite.DB) { db.MaxStorageKeys = maxKeys })
	})
}
