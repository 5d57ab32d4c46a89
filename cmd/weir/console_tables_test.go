package main

import (
	"fmt"
	"testing"
)

// TestConsoleTables creates a data table with typed columns and rows in the
// console, checking them through the API; edits, sorts, queries (a bad
// query shows the server's message) and deletes rows.
func TestConsoleTables(t *testing.T) {
	t.Parallel()
	owner, appID, p := openAppTab(t, "tables")
	tablesPath := "/applications/" + appID + "/data-tables"
	p.fill("#new-table-name", "plants")
	p.fill(".column-row:nth-child(1) .column-name", "name")
	p.choose(".column-row:nth-child(1) .column-constraint", "unique")
	p.click("#add-column")
	p.fill(".column-row:nth-child(2) .column-name", "height")
	p.choose(".column-row:nth-child(2) .column-type", "number")
	p.click("#add-column")
	p.fill(".column-row:nth-child(3) .column-name", "watered")
	p.choose(".column-row:nth-child(3) .column-type", "boolean")
	p.click("#create-table")
	p.waitFor("the table's page", `document.querySelector('#table-name')?.textContent === 'plants'`)
	tableID := eval[string](p, `location.hash.split('/')[4]`)
	var table struct {
		Columns []struct{ Name, DataType, Constraint string }
	}
	owner.mustDo(200, "GET", tablesPath+"/"+tableID, nil, &table)
	if got, want := mustJSON(table.Columns), `[{"Name":"name","DataType":"string","Constraint":"unique"},`+
		`{"Name":"height","DataType":"number","Constraint":"optional"},{"Name":"watered","DataType":"boolean","Constraint":"optional"}]`; got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}

	rowsPath := tablesPath + "/" + tableID + "/rows"
	addRow := func(name, height, watered string) {
		p.fill("#new-row input[name=name]", name)
		p.fill("#new-row input[name=height]", height)
		p.choose("#new-row select[name=watered]", watered)
		p.click("#add-row")
	}
	addRow("fern", "30", "true")
	p.waitFor("the row", `document.querySelectorAll('#rows tbody tr').length === 1`)
	addRow("palm", "120", "")
	p.waitFor("two rows", `document.querySelectorAll('#rows tbody tr').length === 2`)
	type row struct {
		ID      string `json:"id"`
		Name    any    `json:"name"`
		Height  any    `json:"height"`
		Watered any    `json:"watered"`
	}
	var rows struct{ Items []row }
	owner.mustDo(200, "GET", rowsPath+"?sortColumn=name", nil, &rows)
	if got, want := mustJSON(rows.Items), fmt.Sprintf(`[{"id":%q,"name":"fern","height":30,"watered":true},{"id":%q,"name":"palm","height":120,"watered":null}]`,
		rows.Items[0].ID, rows.Items[1].ID); got != want {
		t.Fatalf("rows %s, want %s", got, want)
	}
	// A duplicate of a unique column is refused with the server's message.
	addRow("fern", "1", "")
	p.waitFor("the unique error", `(document.querySelector('#table > .error')?.textContent ?? '') !== ''`)
	t.Logf("a duplicate row shows: %s", p.text("#table > .error"))
	if n := eval[int](p, `document.querySelectorAll('#rows tbody tr').length`); n != 2 {
		t.Errorf("%d rows shown after a refused duplicate", n)
	}

	// Edit palm's height; sort by height descending.
	palm := fmt.Sprintf(`#rows tr[data-id=%q]`, rows.Items[1].ID)
	p.click(palm + " .edit-row")
	p.fill(palm+" input[name=height]", "95.5")
	p.click(palm + " .save-row")
	p.waitFor("the edit", fmt.Sprintf(`document.querySelector('%s td[data-column=height]')?.textContent === '95.5'`, palm))
	var got row
	owner.mustDo(200, "GET", rowsPath+"/"+rows.Items[1].ID, nil, &got)
	if got.Height != 95.5 || got.Name != "palm" {
		t.Errorf("edited row %+v", got)
	}
	p.click(`#rows th button[data-column=height]`)
	p.click(`#rows th button[data-column=height]`)
	p.waitFor("descending heights", `[...document.querySelectorAll('#rows td[data-column=height]')].map((e) => e.textContent).join() === '95.5,30'`)

	// A query narrows the rows; one the server refuses shows its message.
	p.fill("#query-text", `{"height": {"$lt": 50}}`)
	p.click("#run-query")
	p.waitFor("the query's row", `[...document.querySelectorAll('#rows td[data-column=name]')].map((e) => e.textContent).join() === 'fern'`)
	p.fill("#query-text", `{"nosuchcolumn": {"$eq": 1}}`)
	p.click("#run-query")
	p.waitFor("the query's error", `!document.querySelector('#query-error').hidden && document.querySelector('#query-error').textContent.includes('nosuchcolumn') && document.querySelectorAll('#rows tbody tr').length === 0`)
	t.Logf("a refused query shows: %s", p.text("#query-error"))
	p.click("#clear-query")
	p.waitFor("all rows", `document.querySelectorAll('#rows tbody tr').length === 2`)

	// A column added shows a field in the new-row form; removed, it goes.
	p.click("#columns summary")
	p.fill("#new-column .column-name", "note")
	p.fill("#new-column .column-default", "none yet")
	p.click("#add-table-column")
	p.waitFor("the new column's field", `document.querySelector('#new-row input[name=note]')`)
	var note struct {
		Columns []map[string]any
	}
	owner.mustDo(200, "GET", tablesPath+"/"+tableID, nil, &note)
	if got := mustJSON(note.Columns[3]); got != `{"constraint":"optional","dataType":"string","defaultValue":"none yet","name":"note"}` {
		t.Errorf("added column %s", got)
	}
	p.click(`#columns tr[data-column=note] .delete`)
	p.click(`#columns tr[data-column=note] .confirm-delete`)
	p.waitFor("the column gone", `!document.querySelector('#new-row input[name=note]')`)
	owner.mustDo(200, "GET", tablesPath+"/"+tableID, nil, &note)
	if len(note.Columns) != 3 {
		t.Errorf("columns after the removal %v", note.Columns)
	}

	// 30 rows more page by 25, in the order asked for.
	for i := range 30 {
		owner.mustDo(201, "POST", rowsPath, map[string]any{"name": fmt.Sprintf("seedling %02d", i), "height": i}, nil)
	}
	p.click(`#rows th button[data-column=name]`)
	p.waitFor("the first page", `document.querySelector('#rows-pager .where')?.textContent === 'Page 1 of 2 (32 in all)' && document.querySelectorAll('#rows tbody tr').length === 25`)
	p.click("#rows-pager .next")
	p.waitFor("the second page", `[...document.querySelectorAll('#rows td[data-column=name]')].map((e) => e.textContent).join() === 'seedling 23,seedling 24,seedling 25,seedling 26,seedling 27,seedling 28,seedling 29'`)
	p.click("#rows-pager .prev")
	p.waitFor("the first page again", `document.querySelector('#rows td[data-column=name]')?.textContent === 'fern'`)
	owner.mustDo(200, "POST", rowsPath+"/delete", map[string]any{"height": map[string]any{"$lt": 30}}, nil)
	p.click(`#rows th button[data-column=height]`)
	p.waitFor("two rows again", `document.querySelectorAll('#rows tbody tr').length === 2`)

	p.click(palm + " .delete")
	p.click(palm + " .confirm-delete")
	p.waitFor("the deletion", fmt.Sprintf(`!document.querySelector('%s')`, palm))
	owner.mustDo(200, "GET", rowsPath, nil, &rows)
	if len(rows.Items) != 1 || rows.Items[0].Name != "fern" {
		t.Errorf("rows after the deletion %+v", rows.Items)
	}
	// The list names the columns; a table deleted there is gone.
	p.click(`.crumbs a[href$="/tables"]`)
	tableRow := fmt.Sprintf(`#tables tr[data-id=%q]`, tableID)
	p.waitFor("the list", fmt.Sprintf(`document.querySelector('%s .sub')?.textContent === 'name (string, unique) · height (number, optional) · watered (boolean, optional)'`, tableRow))
	p.click(tableRow + " .delete")
	p.click(tableRow + " .confirm-delete")
	p.waitFor("the table gone", `document.querySelector('#tables .empty')?.textContent === 'No data tables yet.'`)
	if code := owner.do("GET", tablesPath+"/"+tableID, nil, nil); code != 404 {
		t.Errorf("deleted table answers %d", code)
	}
	p.checkClean()
}
