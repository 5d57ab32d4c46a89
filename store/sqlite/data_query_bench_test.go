package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

// BenchmarkTimeSeries100k: a MEAN query with hourly buckets over 100 000
// reports of one device.
func BenchmarkTimeSeries100k(b *testing.B) {
	storetest.BenchTimeSeries(b, mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil), 100_000)
}
