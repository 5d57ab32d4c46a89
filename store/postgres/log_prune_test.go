package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestLogPruning(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunLogPruning(t, func(t *testing.T) storetest.PrunerStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
