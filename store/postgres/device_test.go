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
