package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

func TestRunRecorderConformance(t *testing.T) {
	dsn := mustDSN(t)
	storetest.RunRecorder(t, func(t *testing.T) storetest.RecorderStore {
		return mustOpenDB(t, dsn, mustSchema(t, dsn), nil)
	})
}
