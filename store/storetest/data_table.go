package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// DataTableStore is a store that also keeps data tables.
type DataTableStore interface {
	Store
	weir.DataTableService
}

// RunDataTables runs the data table suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
//
// Besides the service's documented contract, the suite pins down: every
// query operator of Losant's advanced query with MongoDB's treatment of
// null, text compared byte-wise and case-sensitively unless $ci, nulls
// sorted first ascending, row ids increasing with insertion, and an
// insert, update or column change that fails changing nothing.
func RunDataTables(t *testing.T, open func(t *testing.T) DataTableStore) {
	t.Run("TableOK", func(t *testing.T) { testDataTableCRUD(t, open) })
	t.Run("TableErrors", func(t *testing.T) { testDataTableErrors(t, open) })
	t.Run("Columns", func(t *testing.T) { testDataTableColumns(t, open) })
	t.Run("Rows", func(t *testing.T) { testDataTableRows(t, open) })
	t.Run("Constraints", func(t *testing.T) { testDataTableConstraints(t, open) })
	t.Run("Query", func(t *testing.T) { testDataTableQuery(t, open) })
	t.Run("SortPage", func(t *testing.T) { testDataTableSortPage(t, open) })
	t.Run("Delete", func(t *testing.T) { testDataTableDelete(t, open) })
	t.Run("ConcurrentColumns", func(t *testing.T) { testDataTableConcurrentColumns(t, open) })
	t.Run("WideBulk", func(t *testing.T) { testDataTableWideBulk(t, open) })
}

// testDataTableWideBulk inserts the most rows into the widest table (more
// values than one SQL statement takes): all of them, or, when the last row
// repeats a unique value, none.
func testDataTableWideBulk(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	tb := &weir.DataTable{ApplicationID: a.ID, Name: "wide"}
	for i := range weir.MaxDataTableColumns {
		c := weir.DataTableColumn{Name: fmt.Sprint("c", i), DataType: weir.ColumnNumber, Constraint: weir.ColumnOptional}
		if i == 0 {
			c.Constraint = weir.ColumnUnique
		}
		tb.Columns = append(tb.Columns, c)
	}
	if err := s.CreateDataTable(ctx, tb); err != nil {
		t.Fatal(err)
	}
	rows := make([]map[string]any, weir.MaxRowsPerInsert)
	for i := range rows {
		rows[i] = map[string]any{}
		for j := range weir.MaxDataTableColumns {
			rows[i][fmt.Sprint("c", j)] = float64(i*100 + j)
		}
	}
	bad := append([]map[string]any{}, rows...)
	bad[len(bad)-1] = map[string]any{"c0": 0.0}
	_, err := s.InsertDataTableRows(ctx, a.ID, tb.ID, bad)
	checkError(t, err, weir.Validation, "column c0 is unique and another row holds that value")
	if _, n, _ := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: a.ID, TableID: tb.ID}); n != 0 {
		t.Fatalf("%d rows after a refused insert, want 0", n)
	}
	mustInsert(t, s, tb, rows...)
	got, n, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: a.ID, TableID: tb.ID, Query: map[string]any{"c49": 99949.0}})
	if err != nil || n != 1 || got[0].Values["c0"] != 99900.0 {
		t.Fatalf("row 999 = %v, %d, %v", got, n, err)
	}
	if _, n, _ := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: a.ID, TableID: tb.ID}); n != weir.MaxRowsPerInsert {
		t.Fatalf("%d rows, want %d", n, weir.MaxRowsPerInsert)
	}
}

// testDataTableConcurrentColumns adds and removes columns while rows are
// inserted: every call succeeds, none meets a column half added or gone.
func testDataTableConcurrentColumns(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, err := s.AddDataTableColumn(ctx, tb.ApplicationID, tb.ID, weir.DataTableColumn{Name: fmt.Sprint("x", i), DataType: "number", Constraint: "optional"})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, []map[string]any{{"qty": i, "label": "l", fmt.Sprint("x", i): i}})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, _, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, Query: map[string]any{"qty": map[string]any{"$gte": 0.0}}})
			errs <- err
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := s.RemoveDataTableColumn(ctx, tb.ApplicationID, tb.ID, "label")
		errs <- err
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.FindDataTableByID(ctx, tb.ApplicationID, tb.ID)
	if err != nil || len(got.Columns) != 4-1+n {
		t.Fatalf("columns after = %v, %v; want %d", got, err, 4-1+n)
	}
	if _, count, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID}); err != nil || count != n {
		t.Fatalf("rows after = %d, %v; want %d", count, err, n)
	}
}

// tableOf returns a table with a unique string "sku", a required number
// "qty", an optional string "label" and an optional boolean "on"
// defaulting to false.
func tableOf(appID string) *weir.DataTable {
	return &weir.DataTable{ApplicationID: appID, Name: "stock", Columns: []weir.DataTableColumn{
		{Name: "sku", DataType: weir.ColumnString, Constraint: weir.ColumnUnique},
		{Name: "qty", DataType: weir.ColumnNumber, Constraint: weir.ColumnRequired},
		{Name: "label", DataType: weir.ColumnString, Constraint: weir.ColumnOptional},
		{Name: "on", DataType: weir.ColumnBoolean, Constraint: weir.ColumnOptional, DefaultValue: false},
	}}
}

func mustTable(t *testing.T, s DataTableStore) *weir.DataTable {
	t.Helper()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	tb := tableOf(a.ID)
	if err := s.CreateDataTable(t.Context(), tb); err != nil {
		t.Fatalf("CreateDataTable: %v", err)
	}
	return tb
}

func mustInsert(t *testing.T, s DataTableStore, tb *weir.DataTable, rows ...map[string]any) []*weir.DataTableRow {
	t.Helper()
	out, err := s.InsertDataTableRows(t.Context(), tb.ApplicationID, tb.ID, rows)
	if err != nil {
		t.Fatalf("InsertDataTableRows: %v", err)
	}
	return out
}

func testDataTableCRUD(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	if !weir.ValidID(tb.ID) {
		t.Fatalf("ID = %q", tb.ID)
	}
	checkTimeSet(t, "CreationDate", tb.CreationDate)
	got, err := s.FindDataTableByID(ctx, tb.ApplicationID, tb.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "table", got, tb)
	other := &weir.DataTable{ApplicationID: tb.ApplicationID, Name: "Alpha"}
	if err := s.CreateDataTable(ctx, other); err != nil {
		t.Fatal(err)
	}
	list, n, err := s.FindDataTables(ctx, weir.DataTableFilter{ApplicationID: tb.ApplicationID})
	if err != nil || n != 2 || list[0].Name != "Alpha" || list[1].Name != "stock" {
		t.Fatalf("FindDataTables = %v, %d, %v; want Alpha, stock", list, n, err)
	}
	list, n, err = s.FindDataTables(ctx, weir.DataTableFilter{ApplicationID: tb.ApplicationID,
		ListOptions: weir.ListOptions{Filter: "sto*"}})
	if err != nil || n != 1 || list[0].ID != tb.ID {
		t.Fatalf("filtered FindDataTables = %v, %d, %v", list, n, err)
	}
	up, err := s.UpdateDataTable(ctx, &weir.DataTable{ID: tb.ID, ApplicationID: tb.ApplicationID, Name: "renamed", Description: "d"})
	if err != nil || up.Name != "renamed" || up.Description != "d" || len(up.Columns) != 4 {
		t.Fatalf("UpdateDataTable = %+v, %v", up, err)
	}
	_, err = s.UpdateDataTable(ctx, &weir.DataTable{ID: tb.ID, ApplicationID: tb.ApplicationID, Name: ""})
	checkError(t, err, weir.Validation, "")
	if err := s.DeleteDataTable(ctx, tb.ApplicationID, tb.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindDataTableByID(ctx, tb.ApplicationID, tb.ID)
	checkError(t, err, weir.NotFound, "Data table was not found")
	checkError(t, s.DeleteDataTable(ctx, tb.ApplicationID, tb.ID), weir.NotFound, "")
	_, err = s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, weir.NewID())
	checkError(t, err, weir.NotFound, "Data table was not found")
}

func testDataTableErrors(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	for name, tb := range map[string]*weir.DataTable{
		"no name":       {ApplicationID: a.ID},
		"bad type":      {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "a", DataType: "date", Constraint: "optional"}}},
		"bad column":    {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "a b", DataType: "string", Constraint: "optional"}}},
		"reserved":      {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "id", DataType: "string", Constraint: "optional"}}},
		"twice":         {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "a", DataType: "string", Constraint: "optional"}, {Name: "a", DataType: "number", Constraint: "optional"}}},
		"bad default":   {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "a", DataType: "number", Constraint: "optional", DefaultValue: "x"}}},
		"bad constrain": {ApplicationID: a.ID, Name: "t", Columns: []weir.DataTableColumn{{Name: "a", DataType: "number", Constraint: "primary"}}},
	} {
		checkError(t, s.CreateDataTable(ctx, tb), weir.Validation, "")
		_ = name
	}
	var many []weir.DataTableColumn
	for i := range weir.MaxDataTableColumns + 1 {
		many = append(many, weir.DataTableColumn{Name: fmt.Sprintf("c%d", i), DataType: "string", Constraint: "optional"})
	}
	checkError(t, s.CreateDataTable(ctx, &weir.DataTable{ApplicationID: a.ID, Name: "t", Columns: many}), weir.Validation, "")
	checkError(t, s.CreateDataTable(ctx, &weir.DataTable{ApplicationID: weir.NewID(), Name: "t"}), weir.NotFound, "Application was not found")
	list, n, err := s.FindDataTables(ctx, weir.DataTableFilter{ApplicationID: a.ID})
	if err != nil || n != 0 || len(list) != 0 {
		t.Fatalf("after failed creates: %v, %d, %v", list, n, err)
	}
	_, _, err = s.FindDataTables(ctx, weir.DataTableFilter{ApplicationID: a.ID, ListOptions: weir.ListOptions{SortField: "rows"}})
	checkError(t, err, weir.Validation, "")
	for i := range weir.MaxDataTablesPerApp {
		if err := s.CreateDataTable(ctx, &weir.DataTable{ApplicationID: a.ID, Name: fmt.Sprint("t", i)}); err != nil {
			t.Fatalf("table %d: %v", i, err)
		}
	}
	checkError(t, s.CreateDataTable(ctx, &weir.DataTable{ApplicationID: a.ID, Name: "one more"}), weir.Validation, "")
}

func testDataTableColumns(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	old := mustInsert(t, s, tb, map[string]any{"sku": "a", "qty": 1})[0]
	up, err := s.AddDataTableColumn(ctx, tb.ApplicationID, tb.ID, weir.DataTableColumn{Name: "color", DataType: "string",
		Constraint: "required", DefaultValue: "red"})
	if err != nil || len(up.Columns) != 5 || up.Columns[4].Name != "color" {
		t.Fatalf("AddDataTableColumn = %+v, %v", up, err)
	}
	r, err := s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, old.ID)
	if err != nil || r.Values["color"] != nil {
		t.Fatalf("existing row after add = %+v, %v; want color null", r, err)
	}
	nr := mustInsert(t, s, up, map[string]any{"sku": "b", "qty": 2})[0]
	if nr.Values["color"] != "red" {
		t.Fatalf("new row color = %v, want the default red", nr.Values["color"])
	}
	_, err = s.AddDataTableColumn(ctx, tb.ApplicationID, tb.ID, weir.DataTableColumn{Name: "color", DataType: "string", Constraint: "optional"})
	checkError(t, err, weir.Validation, "")
	_, err = s.AddDataTableColumn(ctx, tb.ApplicationID, tb.ID, weir.DataTableColumn{Name: "x", DataType: "blob", Constraint: "optional"})
	checkError(t, err, weir.Validation, "")

	up, err = s.RemoveDataTableColumn(ctx, tb.ApplicationID, tb.ID, "sku")
	if err != nil || len(up.Columns) != 4 || slices.ContainsFunc(up.Columns, func(c weir.DataTableColumn) bool { return c.Name == "sku" }) {
		t.Fatalf("RemoveDataTableColumn = %+v, %v", up, err)
	}
	r, err = s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, old.ID)
	if _, has := r.Values["sku"]; err != nil || has || r.Values["qty"] != 1.0 {
		t.Fatalf("row after remove = %+v, %v", r, err)
	}
	_, err = s.RemoveDataTableColumn(ctx, tb.ApplicationID, tb.ID, "sku")
	checkError(t, err, weir.NotFound, "")
	_, _, err = s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, Query: map[string]any{"sku": "a"}})
	checkError(t, err, weir.Validation, "query.sku: is not a column of the table")
	// A column added again after removal starts empty, under a new SQL column.
	if _, err := s.AddDataTableColumn(ctx, tb.ApplicationID, tb.ID, weir.DataTableColumn{Name: "sku", DataType: "number", Constraint: "unique"}); err != nil {
		t.Fatal(err)
	}
	r, _ = s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, old.ID)
	if r.Values["sku"] != nil {
		t.Fatalf("re-added column = %v, want null", r.Values["sku"])
	}
}

func testDataTableRows(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	rows := mustInsert(t, s, tb, map[string]any{"sku": "a", "qty": "3", "label": 12, "on": "true", "id": "ignored", "unknown": 1})
	r := rows[0]
	if !weir.ValidID(r.ID) || r.Values["qty"] != 3.0 || r.Values["label"] != "12" || r.Values["on"] != true {
		t.Fatalf("inserted row = %+v", r)
	}
	if _, has := r.Values["unknown"]; has {
		t.Fatal("a field that names no column was kept")
	}
	checkTimeSet(t, "CreatedAt", r.CreatedAt)
	got, err := s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, strings.ToUpper(r.ID))
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "row", got, r)
	b, _ := json.Marshal(got)
	var flat map[string]any
	_ = json.Unmarshal(b, &flat)
	if flat["id"] != r.ID || flat["sku"] != "a" || flat["createdAt"] == nil || flat["on"] != true {
		t.Fatalf("row JSON = %s", b)
	}

	old, nr, err := s.UpdateDataTableRow(ctx, tb.ApplicationID, tb.ID, r.ID, map[string]any{"label": nil, "qty": 4})
	if err != nil || old.Values["label"] != "12" || nr.Values["label"] != nil || nr.Values["qty"] != 4.0 || nr.Values["sku"] != "a" {
		t.Fatalf("UpdateDataTableRow = %+v, %+v, %v", old, nr, err)
	}
	got, _ = s.FindDataTableRow(ctx, tb.ApplicationID, tb.ID, r.ID)
	checkDiff(t, "updated row", got, nr)
	_, _, err = s.UpdateDataTableRow(ctx, tb.ApplicationID, tb.ID, r.ID, map[string]any{"qty": nil})
	checkError(t, err, weir.Validation, "column qty is required")
	_, _, err = s.UpdateDataTableRow(ctx, tb.ApplicationID, tb.ID, weir.NewID(), map[string]any{"qty": 1})
	checkError(t, err, weir.NotFound, "Data table row was not found")

	many := make([]map[string]any, 0, 3)
	for i := range 3 {
		many = append(many, map[string]any{"sku": fmt.Sprint("m", i), "qty": i})
	}
	bulk := mustInsert(t, s, tb, many...)
	if len(bulk) != 3 || bulk[0].ID >= bulk[1].ID || bulk[1].ID >= bulk[2].ID {
		t.Fatalf("bulk ids not increasing: %v", bulk)
	}
	del, err := s.DeleteDataTableRow(ctx, tb.ApplicationID, tb.ID, bulk[0].ID)
	if err != nil || del.ID != bulk[0].ID {
		t.Fatalf("DeleteDataTableRow = %v, %v", del, err)
	}
	_, err = s.DeleteDataTableRow(ctx, tb.ApplicationID, tb.ID, bulk[0].ID)
	checkError(t, err, weir.NotFound, "")
	if err := s.TruncateDataTable(ctx, tb.ApplicationID, tb.ID); err != nil {
		t.Fatal(err)
	}
	_, n, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID})
	if err != nil || n != 0 {
		t.Fatalf("after truncate: %d rows, %v", n, err)
	}
	// The limits at their edges: the most rows and the largest row
	// accepted, then one more.
	most := make([]map[string]any, weir.MaxRowsPerInsert)
	for i := range most {
		most[i] = map[string]any{"qty": i}
	}
	mustInsert(t, s, tb, most...)
	_, err = s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, append(most, map[string]any{"qty": 1}))
	checkError(t, err, weir.Validation, "")
	// {"label":"xx…","on":false,"qty":1,"sku":null} plus a newline
	room := weir.MaxDataTableRowBytes - len(`{"label":"","on":false,"qty":1,"sku":null}`+"\n")
	mustInsert(t, s, tb, map[string]any{"qty": 1, "label": strings.Repeat("x", room)})
	_, err = s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, []map[string]any{{"qty": 1, "label": strings.Repeat("x", room+1)}})
	checkError(t, err, weir.Validation, "")
	_, n, err = s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID})
	if err != nil || n != weir.MaxRowsPerInsert+1 {
		t.Fatalf("rows after the limits = %d, %v; want %d", n, err, weir.MaxRowsPerInsert+1)
	}
}

func testDataTableConstraints(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	mustInsert(t, s, tb, map[string]any{"sku": "a", "qty": 1})
	for name, row := range map[string]map[string]any{
		"missing required": {"sku": "b"},
		"null required":    {"sku": "b", "qty": nil},
		"not a number":     {"sku": "b", "qty": "many"},
		"not a boolean":    {"sku": "b", "qty": 1, "on": "maybe"},
		"object":           {"sku": "b", "qty": 1, "label": map[string]any{}},
		"bad field":        {"sku": "b", "qty": 1, "a b": 1},
	} {
		_, err := s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, []map[string]any{row})
		if weir.ErrorTypeOf(err) != weir.Validation {
			t.Fatalf("%s: error %v, want Validation", name, err)
		}
	}
	_, err := s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, []map[string]any{{"sku": "a", "qty": 2}})
	checkError(t, err, weir.Validation, "column sku is unique and another row holds that value")
	// A bulk insert with one bad row inserts none.
	_, err = s.InsertDataTableRows(ctx, tb.ApplicationID, tb.ID, []map[string]any{{"sku": "c", "qty": 1}, {"sku": "c", "qty": 2}})
	checkError(t, err, weir.Validation, "")
	b := mustInsert(t, s, tb, map[string]any{"sku": "b", "qty": 1})[0]
	_, _, err = s.UpdateDataTableRow(ctx, tb.ApplicationID, tb.ID, b.ID, map[string]any{"sku": "a"})
	checkError(t, err, weir.Validation, "column sku is unique and another row holds that value")
	// Nulls are not values: many rows may leave a unique column null.
	mustInsert(t, s, tb, map[string]any{"qty": 1}, map[string]any{"qty": 1})
	_, n, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID})
	if err != nil || n != 4 {
		t.Fatalf("rows = %d, %v; want 4", n, err)
	}
}

// queryRows returns the sku of each row the query matches, sorted by sku.
func queryRows(t *testing.T, s DataTableStore, tb *weir.DataTable, q string) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(q), &doc); err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	rows, n, err := s.FindDataTableRows(t.Context(), weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID,
		Query: doc, SortColumn: "sku"})
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	if n != len(rows) {
		t.Fatalf("query %s: count %d for %d rows", q, n, len(rows))
	}
	out := []string{}
	for _, r := range rows {
		out = append(out, fmt.Sprint(r.Values["sku"]))
	}
	return out
}

func testDataTableQuery(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	tb := mustTable(t, s)
	rows := mustInsert(t, s, tb,
		map[string]any{"sku": "apple", "qty": 5, "label": "Red fruit", "on": true},
		map[string]any{"sku": "banana", "qty": 12, "label": "yellow fruit"},
		map[string]any{"sku": "cherry", "qty": 0.5},
		map[string]any{"sku": "Date", "qty": -3, "label": "brown"},
	)
	cases := []struct {
		q    string
		want []string
	}{
		{`{}`, []string{"Date", "apple", "banana", "cherry"}},
		{`{"sku": "apple"}`, []string{"apple"}},
		{`{"qty": {"$eq": "5"}}`, []string{"apple"}},
		{`{"qty": {"$gt": 0.5}}`, []string{"apple", "banana"}},
		{`{"qty": {"$gte": 0.5, "$lt": 12}}`, []string{"apple", "cherry"}},
		{`{"qty": {"$lte": 0}}`, []string{"Date"}},
		{`{"label": null}`, []string{"cherry"}},
		{`{"label": {"$ne": null}}`, []string{"Date", "apple", "banana"}},
		{`{"label": {"$ne": "brown"}}`, []string{"apple", "banana", "cherry"}},
		{`{"label": {"$gt": null}}`, []string{}},
		{`{"label": {"$gte": null}}`, []string{"cherry"}},
		{`{"sku": {"$in": ["apple", "Date", "kiwi"]}}`, []string{"Date", "apple"}},
		{`{"label": {"$nin": ["brown", "Red fruit"]}}`, []string{"banana", "cherry"}},
		{`{"sku": {"$in": []}}`, []string{}},
		{`{"label": {"$startsWith": "yel"}}`, []string{"banana"}},
		{`{"label": {"$startsWith": "red"}}`, []string{}},
		{`{"label": {"$startsWith": "red", "$ci": true}}`, []string{"apple"}},
		{`{"label": {"$endsWith": "fruit"}}`, []string{"apple", "banana"}},
		{`{"label": {"$endsWith": "FRUIT", "$ci": true}}`, []string{"apple", "banana"}},
		{`{"label": {"$contains": "ow"}}`, []string{"Date", "banana"}},
		{`{"label": {"$contains": "RED", "$ci": true}}`, []string{"apple"}},
		{`{"sku": {"$eq": "APPLE", "$ci": true}}`, []string{"apple"}},
		{`{"sku": {"$gt": "a"}}`, []string{"apple", "banana", "cherry"}},
		{`{"on": true}`, []string{"apple"}},
		{`{"on": {"$ne": true}}`, []string{"Date", "banana", "cherry"}},
		{`{"$or": [{"sku": "apple"}, {"qty": {"$lt": 0}}]}`, []string{"Date", "apple"}},
		{`{"$and": [{"qty": {"$gt": 0}}, {"label": {"$contains": "fruit"}}]}`, []string{"apple", "banana"}},
		{`{"$nor": [{"label": "brown"}, {"qty": 12}]}`, []string{"apple", "cherry"}},
		{`{"$or": []}`, []string{"Date", "apple", "banana", "cherry"}}, // as Losant's query builder means it
		{`{"$or": [{"$and": [{"sku": "cherry"}, {"label": null}]}, {"$nor": [{"qty": {"$gte": -10}}]}]}`, []string{"cherry"}},
		{`{"id": "` + rows[1].ID + `"}`, []string{"banana"}},
		{`{"createdAt": {"$lte": "` + rows[0].CreatedAt.Format("2006-01-02T15:04:05.000Z07:00") + `"}}`, []string{"Date", "apple", "banana", "cherry"}},
		{`{"updatedAt": {"$gt": ` + fmt.Sprint(rows[0].UpdatedAt.UnixMilli()) + `}}`, []string{}},
	}
	for _, c := range cases {
		if got := queryRows(t, s, tb, c.q); !slices.Equal(got, c.want) {
			t.Errorf("query %s = %v, want %v", c.q, got, c.want)
		}
	}
	for q, msg := range map[string]string{
		`{"nope": 1}`:                       "query.nope: is not a column of the table",
		`{"$or": [{"qty": {"$gt": "x"}}]}`:  "query.$or[0].qty.$gt: must be a number",
		`{"qty": {"$regex": "x"}}`:          "query.qty.$regex: is not a query operator",
		`{"qty": {"$startsWith": "1"}}`:     "query.qty.$startsWith: applies to text columns only",
		`{"$and": {"sku": "a"}}`:            "query.$and: must be an array",
		`{"sku": ["a"]}`:                    "query.sku: must be a value or an object of operators",
		`{"sku": {"$in": "a"}}`:             "query.sku.$in: must be an array",
		`{"sku": {"$ci": true}}`:            "query.sku: has no operator",
		`{"sku": {"$eq": "a", "$ci": "y"}}`: "query.sku.$ci: must be a boolean",
		`[1]`:                               "query: must be an object",
		`{"createdAt": "yesterday"}`:        "query.createdAt: must be a date (ISO 8601 text or milliseconds)",
	} {
		var doc any
		_ = json.Unmarshal([]byte(q), &doc)
		_, _, err := s.FindDataTableRows(t.Context(), weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, Query: doc})
		checkError(t, err, weir.Validation, msg)
	}
	deep := `{"sku": "a"}`
	for range weir.MaxTableQueryDepth + 1 {
		deep = `{"$or": [` + deep + `]}`
	}
	var doc any
	_ = json.Unmarshal([]byte(deep), &doc)
	_, _, err := s.FindDataTableRows(t.Context(), weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, Query: doc})
	checkError(t, err, weir.Validation, "")
	if !strings.Contains(weir.ErrorMessage(err), "nested deeper") {
		t.Fatalf("deep query: %v", err)
	}
}

func testDataTableSortPage(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	mustInsert(t, s, tb,
		map[string]any{"sku": "a", "qty": 3, "label": "x"},
		map[string]any{"sku": "b", "qty": 1},
		map[string]any{"sku": "c", "qty": 2, "label": "y"},
	)
	page := func(f weir.RowFilter) []string {
		t.Helper()
		f.ApplicationID, f.TableID = tb.ApplicationID, tb.ID
		rows, n, err := s.FindDataTableRows(ctx, f)
		if err != nil || n != 3 {
			t.Fatalf("FindDataTableRows(%+v) = %d, %v", f, n, err)
		}
		out := []string{}
		for _, r := range rows {
			out = append(out, r.Values["sku"].(string))
		}
		return out
	}
	for _, c := range []struct {
		f    weir.RowFilter
		want []string
	}{
		{weir.RowFilter{}, []string{"a", "b", "c"}},
		{weir.RowFilter{SortDirection: "DESC"}, []string{"c", "b", "a"}},
		{weir.RowFilter{SortColumn: "qty"}, []string{"b", "c", "a"}},
		{weir.RowFilter{SortColumn: "label"}, []string{"b", "a", "c"}},
		{weir.RowFilter{SortColumn: "label", SortDirection: "desc"}, []string{"c", "a", "b"}},
		{weir.RowFilter{SortColumn: "qty", Limit: 1, Offset: 1}, []string{"c"}},
		{weir.RowFilter{Offset: 2}, []string{"c"}},
		{weir.RowFilter{SortColumn: "createdAt", Limit: 2}, []string{"a", "b"}},
	} {
		if got := page(c.f); !slices.Equal(got, c.want) {
			t.Errorf("FindDataTableRows(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	_, _, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, SortColumn: "nope"})
	checkError(t, err, weir.Validation, "")
	_, _, err = s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, SortDirection: "up"})
	checkError(t, err, weir.Validation, "")
}

func testDataTableDelete(t *testing.T, open func(t *testing.T) DataTableStore) {
	s := open(t)
	ctx := t.Context()
	tb := mustTable(t, s)
	for i := range 5 {
		mustInsert(t, s, tb, map[string]any{"sku": fmt.Sprint("s", i), "qty": i})
	}
	del, err := s.DeleteDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID,
		Query: map[string]any{"qty": map[string]any{"$gte": 1.0}}, Limit: 3})
	if err != nil || len(del) != 3 || del[0].Values["sku"] != "s1" {
		t.Fatalf("DeleteDataTableRows = %v, %v", del, err)
	}
	_, n, _ := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID})
	if n != 2 {
		t.Fatalf("rows left = %d, want 2", n)
	}
	_, err = s.DeleteDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID,
		Query: map[string]any{"nope": 1.0}, Limit: 3})
	checkError(t, err, weir.Validation, "")
	_, err = s.DeleteDataTableRows(ctx, weir.RowFilter{ApplicationID: tb.ApplicationID, TableID: tb.ID, Limit: weir.MaxRowsPerDelete + 1})
	checkError(t, err, weir.Validation, "")
	// Deleting the application deletes its tables and their rows.
	if err := s.DeleteApplication(ctx, tb.ApplicationID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindDataTableByID(ctx, tb.ApplicationID, tb.ID)
	checkError(t, err, weir.NotFound, "")
	// Nothing of the table is left: a table may take its id again, empty.
	b := mustCreateApplication(t, s, &weir.Application{Name: "next"})
	again := &weir.DataTable{ID: tb.ID, ApplicationID: b.ID, Name: "again", Columns: tb.Columns}
	if err := s.CreateDataTable(ctx, again); err != nil {
		t.Fatalf("CreateDataTable with the id of a table deleted with its application: %v", err)
	}
	if _, n, err := s.FindDataTableRows(ctx, weir.RowFilter{ApplicationID: b.ID, TableID: tb.ID}); err != nil || n != 0 {
		t.Fatalf("rows of the new table = %d, %v; want 0", n, err)
	}
	checkError(t, s.CreateDataTable(ctx, &weir.DataTable{ID: tb.ID, ApplicationID: b.ID, Name: "twice"}), weir.Validation, "")
}
