package storetest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// BenchIndexedQuery measures a query on an indexed column of a table of n
// rows: {"bucket": v} where each bucket holds 10 rows, answered with its
// page (sorted by id) and its count, as dataTableRows.query answers. The
// table is filled once, through InsertDataTableRows in batches of
// weir.MaxRowsPerInsert; the fill time is reported as fill-s.
func BenchIndexedQuery(b *testing.B, s DataTableStore, n int) {
	ctx := b.Context()
	a := &weir.Application{Name: "bench", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := s.CreateApplication(ctx, a); err != nil {
		b.Fatal(err)
	}
	tb := &weir.DataTable{ApplicationID: a.ID, Name: "readings", Columns: []weir.DataTableColumn{
		{Name: "serial", DataType: weir.ColumnString, Constraint: weir.ColumnUnique},
		{Name: "bucket", DataType: weir.ColumnNumber, Constraint: weir.ColumnRequired},
		{Name: "note", DataType: weir.ColumnString, Constraint: weir.ColumnOptional},
	}}
	if err := s.CreateDataTable(ctx, tb); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	batch := make([]map[string]any, 0, weir.MaxRowsPerInsert)
	for i := range n {
		batch = append(batch, map[string]any{"serial": fmt.Sprintf("s%08d", i), "bucket": float64(i / 10), "note": "reading"})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := s.InsertDataTableRows(ctx, a.ID, tb.ID, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	fill := time.Since(start)
	i := 0
	for b.Loop() {
		i++
		v := float64((i * 7919) % (n / 10))
		rows, total, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: a.ID, TableID: tb.ID,
			Query: map[string]any{"bucket": v}, Limit: weir.DefaultRowsPerQuery})
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) != 10 || total != 10 {
			b.Fatalf("bucket %v: %d rows, count %d; want 10", v, len(rows), total)
		}
	}
	b.ReportMetric(fill.Seconds(), "fill-s")
}

// BenchRows is the table size of BenchIndexedQuery: WEIR_BENCH_ROWS, or
// 1,000,000.
func BenchRows(b *testing.B) int {
	if s := os.Getenv("WEIR_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			b.Fatalf("WEIR_BENCH_ROWS=%q is not a row count of 10 or more", s)
		}
		return n
	}
	return 1_000_000
}
