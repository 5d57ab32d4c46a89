package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir/store/sqlstore"
)

// TestUncachedQueriesAreNotKept: a query marked sqlstore.Uncached runs,
// but its statement is not kept, so that data table queries never crowd
// out the statements weir runs every time.
func TestUncachedQueriesAreNotKept(t *testing.T) {
	db, err := sql.Open(cachingDriverName, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := t.Context()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	kept := func() int {
		var n int
		if err := conn.Raw(func(dc any) error { n = len(dc.(*cachingConn).stmts); return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, q := range []string{`SELECT 1`, sqlstore.Uncached + `SELECT 2`} {
		var n int
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if n := kept(); n != 1 {
		t.Fatalf("%d statements kept, want 1 (SELECT 1 only)", n)
	}
}
