package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestEventConformance(t *testing.T) {
	storetest.RunEvents(t, func(t *testing.T) storetest.EventStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
