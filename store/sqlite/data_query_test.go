package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestDataQueryConformance(t *testing.T) {
	storetest.RunDataQueries(t, func(t *testing.T) storetest.DataStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
