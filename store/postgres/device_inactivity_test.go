package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestInactivityConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunInactivity(t, func(t *testing.T) storetest.InactivityStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
