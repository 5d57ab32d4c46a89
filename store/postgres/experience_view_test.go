package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestViewConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunViews(t, func(t *testing.T) storetest.ViewStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
