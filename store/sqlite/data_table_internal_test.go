package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/weirhq/weir"
)

// TestDataTableRowsTablesGo checks that the SQL table of a data table's
// rows goes with the data table and with its application.
func TestDataTableRowsTablesGo(t *testing.T) {
	db := NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	rowsTables := func() int {
		var n int
		if err := db.view(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'dt\_%' ESCAPE '\'`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	app := &weir.Application{Name: "a", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}
	if err := db.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 2 {
		tb := &weir.DataTable{ApplicationID: app.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "n", DataType: "number", Constraint: "optional"}}}
		if err := db.CreateDataTable(ctx, tb); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tb.ID)
	}
	if n := rowsTables(); n != 2 {
		t.Fatalf("%d rows tables after creating 2 data tables", n)
	}
	if err := db.DeleteDataTable(ctx, app.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n := rowsTables(); n != 1 {
		t.Fatalf("%d rows tables after deleting one data table, want 1", n)
	}
	if err := db.DeleteApplication(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if n := rowsTables(); n != 0 {
		t.Fatalf("%d rows tables after deleting the application, want 0", n)
	}
}
