package postgres_test

import (
	"testing"

	"github.com/weirhq/weir/store/storetest"
)

// BenchmarkTimeSeries100k: a MEAN query with hourly buckets over 100 000
// reports of one device.
func BenchmarkTimeSeries100k(b *testing.B) {
	dsn := mustDSN(b)
	storetest.BenchTimeSeries(b, mustOpenDB(b, dsn, mustSchema(b, dsn), nil), 100_000)
}
