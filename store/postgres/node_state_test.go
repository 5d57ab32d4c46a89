package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestNodeStateConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunNodeState(t, func(t *testing.T) storetest.NodeStateStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
