package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestRunRecorderConformance(t *testing.T) {
	storetest.RunRecorder(t, func(t *testing.T) storetest.RecorderStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
