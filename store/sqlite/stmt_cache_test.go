package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/weirhq/weir/store/sqlite"
)

// TestPreparedReadsNest runs a kept query again while its rows are open, on
// the one connection, and again after with other arguments: each answer is
// its own.
func TestPreparedReadsNest(t *testing.T) {
	db, err := sql.Open(sqlite.CachingDriverName, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT n FROM t WHERE n >= ? ORDER BY n`
	ints := func(rows *sql.Rows) []int {
		t.Helper()
		var out []int
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var inner [][]int
	var got []int
	for outer.Next() {
		var n int
		if err := outer.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
		rows, err := tx.Query(q, n)
		if err != nil {
			t.Fatal(err)
		}
		inner = append(inner, ints(rows))
		rows.Close()
	}
	outer.Close()
	tx.Rollback()
	if !slices.Equal(got, []int{1, 2, 3}) || !slices.Equal(inner[1], []int{2, 3}) || !slices.Equal(inner[2], []int{3}) {
		t.Fatalf("outer %v, inner %v", got, inner)
	}
	for _, from := range []int{3, 1, 4} {
		rows, err := db.Query(q, from)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ints(rows), []int{1, 2, 3}[min(from-1, 3):]; !slices.Equal(got, want) {
			t.Errorf("from %d: %v, want %v", from, got, want)
		}
		rows.Close()
	}
	if _, err := db.Query(`SELECT nope FROM t`); err == nil {
		t.Error("a bad query prepared without error")
	}
}

// BenchmarkFindFlowByID reads one flow (and its stats), the read most API
// requests make, with the read queries kept prepared and parsed each time.
func BenchmarkFindFlowByID(b *testing.B) {
	for _, prepared := range []bool{true, false} {
		name := map[bool]string{true: "prepared", false: "parsed"}[prepared]
		b.Run(name, func(b *testing.B) {
			sqlite.PrepareReads(prepared)
			defer sqlite.PrepareReads(true)
			db := mustOpenDB(b, filepath.Join(b.TempDir(), "weir.db"), nil)
			f := mustAppFlow(b, db)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.FindFlowByID(b.Context(), f.ApplicationID, f.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
