package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestDeviceConformance(t *testing.T) {
	storetest.RunDevices(t, func(t *testing.T) storetest.DeviceStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}

func TestDataTableConformance(t *testing.T) {
	storetest.RunDataTables(t, func(t *testing.T) storetest.DataTableStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
