package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestEventConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunEvents(t, func(t *testing.T) storetest.EventStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
