package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestDataQueryConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunDataQueries(t, func(t *testing.T) storetest.DataStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
