package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestLogPruning(t *testing.T) {
	storetest.RunLogPruning(t, func(t *testing.T) storetest.PrunerStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
