package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestEndpointConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunEndpoints(t, func(t *testing.T) storetest.EndpointStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
