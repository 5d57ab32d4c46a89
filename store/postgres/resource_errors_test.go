package postgres_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/weirhq/weir"
)

// mustRaise makes every statement of kind ("INSERT OR UPDATE", "DELETE")
// on table of schema fail with SQLSTATE code, as a full disk or an
// exhausted server would.
func mustRaise(t testing.TB, dsn, schema, table, kind, code string) {
	t.Helper()
	s := pgx.Identifier{schema}.Sanitize()
	mustExec(t, dsn, `CREATE OR REPLACE FUNCTION `+s+`.raise_`+code+`() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'raised by a test' USING ERRCODE = '`+code+`'; END $$`)
	mustExec(t, dsn, `CREATE TRIGGER raise_`+code+` BEFORE `+kind+` ON `+s+`.`+table+`
		FOR EACH ROW EXECUTE FUNCTION `+s+`.raise_`+code+`()`)
}

func TestDiskFullErrInsufficientStorage(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	db := mustOpenDB(t, dsn, schema, nil)
	f := mustAppFlow(t, db)
	ctx := context.Background()
	if err := db.SetStorageEntry(ctx, f.ID, "k", json.RawMessage(`1`)); err != nil {
		t.Fatal(err)
	}
	mustRaise(t, dsn, schema, "storage", "INSERT OR UPDATE", "53100")
	mustRaise(t, dsn, schema, "runs", "INSERT", "53100")

	err := db.SetStorageEntry(ctx, f.ID, "k", json.RawMessage(`2`))
	if weir.ErrorTypeOf(err) != weir.InsufficientStorage {
		t.Errorf("SetStorageEntry on a full disk = %v, want InsufficientStorage", err)
	}
	if _, err := db.IncrStorageEntry(ctx, f.ID, "n", 1); weir.ErrorTypeOf(err) != weir.InsufficientStorage {
		t.Errorf("IncrStorageEntry on a full disk = %v, want InsufficientStorage", err)
	}
	r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion, Data: json.RawMessage(`{}`)}
	if err := db.EnqueueRun(ctx, r); weir.ErrorTypeOf(err) != weir.InsufficientStorage {
		t.Errorf("EnqueueRun on a full disk = %v, want InsufficientStorage", err)
	}
	entries, err := db.StorageEntries(ctx, f.ID)
	if err != nil || len(entries) != 1 || string(entries["k"]) != "1" {
		t.Errorf("storage after the refused writes = %v, %v; want only k = 1", entries, err)
	}
	var n int
	if err := mustConnect(t, dsn).QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{schema, "runs"}.Sanitize()).Scan(&n); err != nil || n != 0 {
		t.Errorf("runs queued after the refused one = %d, %v; want 0", n, err)
	}
}

func TestTooManyConnectionsInTxErrUnavailable(t *testing.T) {
	dsn := mustDSN(t)
	schema := mustSchema(t, dsn)
	db := mustOpenDB(t, dsn, schema, nil)
	f := mustAppFlow(t, db)
	mustRaise(t, dsn, schema, "applications", "DELETE", "53300")
	ctx := context.Background()
	if err := db.DeleteApplication(ctx, f.ApplicationID); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Errorf("DeleteApplication when the server refuses = %v, want Unavailable", err)
	}
	if _, err := db.FindFlowByID(ctx, f.ApplicationID, f.ID); err != nil {
		t.Errorf("the flow after the refused delete: %v", err)
	}
}
