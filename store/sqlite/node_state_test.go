package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestNodeStateConformance(t *testing.T) {
	storetest.RunNodeState(t, func(t *testing.T) storetest.NodeStateStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
