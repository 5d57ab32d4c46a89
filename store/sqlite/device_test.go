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

// BenchmarkDataTableIndexedQuery: a query on an indexed column of a
// 1,000,000-row data table (WEIR_BENCH_ROWS sets another size).
func BenchmarkDataTableIndexedQuery(b *testing.B) {
	storetest.BenchIndexedQuery(b, mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil), storetest.BenchRows(b))
}
