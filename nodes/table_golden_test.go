package nodes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/store/sqlite"
)

// goldenTable is a data table of a golden case's input.json: a table with
// its id and columns, and its rows, inserted in order before the run.
type goldenTable struct {
	weir.DataTable
	Rows []map[string]any `json:"rows"`
}

// goldenTables keeps a golden case's data tables in a real SQLite store
// and records what the dataTable triggers are told. Row ids and times are
// not the same from run to run: outcome names each row id "row<n>" (in
// the order the rows were made) and every createdAt and updatedAt "<time>".
type goldenTables struct {
	db     *sqlite.DB
	tables []goldenTable
	mu     sync.Mutex
	ids    map[string]string // row id -> row<n>
	events []string
}

func newGoldenTables(t *testing.T, tables []goldenTable) *goldenTables {
	t.Helper()
	g := &goldenTables{tables: tables, ids: map[string]string{}}
	if len(tables) == 0 {
		return g
	}
	g.db = sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := g.db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.db.Close() })
	ctx := t.Context()
	if err := g.db.CreateApplication(ctx, &weir.Application{ID: "app", Name: "golden", OwnerID: weir.NewID(), OwnerType: weir.OwnerUser}); err != nil {
		t.Fatal(err)
	}
	for i := range tables {
		tb := tables[i].DataTable
		tb.ApplicationID = "app"
		if err := g.db.CreateDataTable(ctx, &tb); err != nil {
			t.Fatalf("table %s: %v", tb.Name, err)
		}
		tables[i].DataTable = tb
		rows, err := g.db.InsertDataTableRows(ctx, "app", tb.ID, tables[i].Rows)
		if err != nil {
			t.Fatalf("rows of %s: %v", tb.Name, err)
		}
		g.name(rows...)
	}
	return g
}

func (g *goldenTables) name(rows ...*weir.DataTableRow) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range rows {
		if _, ok := g.ids[r.ID]; !ok {
			g.ids[r.ID] = fmt.Sprintf("row%d", len(g.ids)+1)
		}
	}
}

func (g *goldenTables) access() *engine.Tables {
	if g.db == nil {
		return nil
	}
	return &engine.Tables{Tables: g.db, Events: g}
}

func (g *goldenTables) RowsInserted(_ context.Context, _, _ string, rows []*weir.DataTableRow, bulk bool) error {
	g.name(rows...)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, fmt.Sprintf("inserted %d (bulk %v)", len(rows), bulk))
	return nil
}

func (g *goldenTables) RowUpdated(_ context.Context, _, _ string, old, _ *weir.DataTableRow) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, "updated "+g.ids[old.ID])
	return nil
}

func (g *goldenTables) RowsDeleted(_ context.Context, _, _ string, rows []*weir.DataTableRow) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range rows {
		g.events = append(g.events, "deleted "+g.ids[r.ID])
	}
	return nil
}

// outcome lists each table's rows after the run ("row<n>" ids, no times),
// the trigger events, and rewrites the run's debug payloads the same way.
func (g *goldenTables) outcome(t *testing.T, debug []debugLine) (map[string][]any, []string) {
	if g.db == nil {
		return nil, nil
	}
	out := map[string][]any{}
	for _, tb := range g.tables {
		rows, _, err := g.db.FindDataTableRows(t.Context(), weir.RowFilter{ApplicationID: "app", TableID: tb.ID})
		if err != nil {
			t.Fatal(err)
		}
		g.name(rows...)
		list := []any{}
		for _, r := range rows {
			list = append(list, g.normalize(r.Object()))
		}
		out[tb.Name] = list
	}
	for i := range debug {
		debug[i].Payload = g.normalize(decodeRaw(debug[i].Payload))
	}
	return out, g.events
}

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// normalize rewrites row ids and times in v.
func (g *goldenTables) normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if (k == "createdAt" || k == "updatedAt") && e != nil {
				out[k] = "<time>"
				continue
			}
			out[k] = g.normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = g.normalize(e)
		}
		return out
	case string:
		if name, ok := g.ids[x]; ok && hexID.MatchString(x) {
			return name
		}
	}
	return v
}

// decodeRaw decodes a debug payload kept as JSON text.
func decodeRaw(v any) any {
	raw, ok := v.(json.RawMessage)
	if !ok {
		return v
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return v
	}
	return out
}
