package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir/store/postgres"
	"github.com/weirhq/weir/store/storetest"
)

func TestSettingsConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunSettings(t, func(t *testing.T) storetest.SettingStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}

// TestSettingsAgreeAcrossDBsOK has DBs on one schema, as processes
// starting together, each store its own value of a new setting: all read
// one value.
func TestSettingsAgreeAcrossDBsOK(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	const n = 4
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		dbs[i] = mustOpenDB(t, dsn, schema, nil)
	}
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = db.LoadOrStoreSetting(context.Background(), "key", []byte(fmt.Sprint("value", i)))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("DB %d got %q, %v; DB 0 got %q", i, got[i], errs[i], got[0])
		}
	}
}
