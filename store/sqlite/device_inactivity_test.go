package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestInactivityConformance(t *testing.T) {
	storetest.RunInactivity(t, func(t *testing.T) storetest.InactivityStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
