package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/postgres"
	"github.com/weirhq/weir/store/storetest"
)

func TestStorageKeyCap(t *testing.T) {
	storetest.RunStorageKeyCap(t, func(t *testing.T, maxKeys int) storetest.Store {
		dsn := mustDSN(t)
		return mustOpenDB(t, dsn, mustSchema(t, dsn), func(db *postgres.DB) { db.MaxStorageKeys = maxKeys })
	})
}
