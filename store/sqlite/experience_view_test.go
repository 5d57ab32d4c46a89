package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestViewConformance(t *testing.T) {
	storetest.RunViews(t, func(t *testing.T) storetest.ViewStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
