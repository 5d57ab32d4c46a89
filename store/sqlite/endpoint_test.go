package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestEndpointConformance(t *testing.T) {
	storetest.RunEndpoints(t, func(t *testing.T) storetest.EndpointStore {
		return mustOpenDB(t, filepath.Join(t.TempDir(), "weir.db"), nil)
	})
}
