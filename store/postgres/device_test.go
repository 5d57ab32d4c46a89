package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestDeviceConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunDevices(t, func(t *testing.T) storetest.DeviceStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

func TestDataTableConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunDataTables(t, func(t *testing.T) storetest.DataTableStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

// BenchmarkDataTableIndexedQuery: a query on an indexed column of a
// 1,000,000-row data table (WEIR_BENCH_ROWS sets another size).
func BenchmarkDataTableIndexedQuery(b *testing.B) {
	dsn := mustDSN(b)
	storetest.BenchIndexedQuery(b, mustOpenDB(b, dsn, mustSchema(b, dsn), nil), storetest.BenchRows(b))
}
