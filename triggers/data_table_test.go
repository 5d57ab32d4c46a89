package triggers_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/triggers"
)

func TestDataTableTriggers(t *testing.T) {
	app, table := weir.NewID(), weir.NewID()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	row := func(v any) *weir.DataTableRow {
		return &weir.DataTableRow{ID: weir.NewID(), CreatedAt: now, UpdatedAt: now, Values: map[string]any{"n": v}}
	}
	all := weir.Trigger{Type: "dataTable", Key: table, Config: json.RawMessage(`{"insert":true,"bulkInsert":true,"update":true,"delete":true}`)}
	onlyUpdate := weir.Trigger{Type: "dataTable", Key: table, Config: json.RawMessage(`{"update":true}`)}
	other := weir.Trigger{Type: "dataTable", Key: weir.NewID(), Config: all.Config}
	q := &queue{}
	dt := &triggers.DataTables{Flows: &fakeFlows{flows: []*weir.Flow{
		flowWith(app, true, all, other), flowWith(app, true, onlyUpdate), flowWith(app, false, all),
	}}, Queue: q, Now: func() time.Time { return now }}
	ctx := t.Context()
	data := func(i int) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(q.runs[i].Data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}

	a, b := row(1.0), row(2.0)
	if err := dt.RowsInserted(ctx, app, table, []*weir.DataTableRow{a}, false); err != nil {
		t.Fatal(err)
	}
	if len(q.runs) != 1 || data(0)["action"] != "insert" || data(0)["newRow"].(map[string]any)["id"] != a.ID ||
		q.runs[0].TriggerID != table || q.runs[0].TriggerType != "dataTable" {
		t.Fatalf("insert: %d runs, data %v", len(q.runs), data(0))
	}
	if err := dt.RowsInserted(ctx, app, table, []*weir.DataTableRow{a, b}, true); err != nil {
		t.Fatal(err)
	}
	if len(q.runs) != 2 || data(1)["action"] != "bulkInsert" || data(1)["count"] != 2.0 || len(data(1)["rowIds"].([]any)) != 2 {
		t.Fatalf("bulkInsert: %d runs, data %v", len(q.runs), data(1))
	}
	// An update that changes nothing fires nothing; one that does fires
	// both flows that select updates.
	if err := dt.RowUpdated(ctx, app, table, a, row(1.0)); err != nil || len(q.runs) != 2 {
		t.Fatalf("unchanged update: %d runs, %v", len(q.runs), err)
	}
	if err := dt.RowUpdated(ctx, app, table, a, row(5.0)); err != nil || len(q.runs) != 4 {
		t.Fatalf("update: %d runs, %v", len(q.runs), err)
	}
	if d := data(3); d["action"] != "update" || d["oldRow"].(map[string]any)["n"] != 1.0 || d["newRow"].(map[string]any)["n"] != 5.0 {
		t.Fatalf("update data = %v", d)
	}
	if err := dt.RowsDeleted(ctx, app, table, []*weir.DataTableRow{a, b}); err != nil || len(q.runs) != 6 {
		t.Fatalf("delete: %d runs, %v", len(q.runs), err)
	}
	if d := data(5); d["action"] != "remove" || d["oldRow"].(map[string]any)["id"] != b.ID {
		t.Fatalf("delete data = %v", d)
	}
}
