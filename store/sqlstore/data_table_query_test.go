package sqlstore

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// queryTable is the table the compiler tests query: a string, a number and
// a boolean column.
func queryTable() *dataTable {
	return &dataTable{
		DataTable: weir.DataTable{ID: "5a1b2c3d4e5f60718293a4b5", Columns: []weir.DataTableColumn{
			{Name: "name", DataType: weir.ColumnString, Constraint: weir.ColumnOptional},
			{Name: "temp", DataType: weir.ColumnNumber, Constraint: weir.ColumnOptional},
			{Name: "on", DataType: weir.ColumnBoolean, Constraint: weir.ColumnOptional},
		}},
		refs: map[string]string{"name": "c1", "temp": "c2", "on": "c3"},
	}
}

func compileText(t testing.TB, doc string) (string, []any, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	dt := queryTable()
	q, err := weir.ParseTableQuery(v, &dt.DataTable)
	if err != nil {
		return "", nil, err
	}
	s := &Store{d: Dialect{Position: func(text, needle string) string { return "instr(" + text + ", " + needle + ")" }}}
	sql, args := s.compileTableQuery(q, dt)
	return sql, args, nil
}

func TestCompileTableQuery(t *testing.T) {
	for _, c := range []struct {
		doc, sql string
		args     []any
	}{
		{`{}`, `1 = 1`, nil},
		{`{"name": "a"}`, `((c1 = ?))`, []any{"a"}},
		{`{"temp": {"$gt": "4", "$lte": 9}}`, `((c2 > ?) AND (c2 <= ?))`, []any{4.0, 9.0}},
		{`{"name": null}`, `((c1 IS NULL))`, nil},
		{`{"name": {"$ne": "a"}}`, `(((c1 IS NULL OR c1 <> ?)))`, []any{"a"}},
		{`{"on": {"$in": [true, "false"]}}`, `((c3 IN (?, ?)))`, []any{true, false}},
		{`{"temp": {"$nin": [1]}}`, `(((c2 IS NULL OR c2 NOT IN (?))))`, []any{1.0}},
		{`{"name": {"$startsWith": "ab"}}`, `((c1 >= ? AND substr(c1, 1, ?) = ?))`, []any{"ab", 2, "ab"}},
		{`{"name": {"$endsWith": "Ab", "$ci": true}}`, `((length(lower(c1)) >= ? AND substr(lower(c1), length(lower(c1)) - ?) = ?))`, []any{2, 1, "ab"}},
		{`{"name": {"$contains": "b"}}`, `((instr(c1, ?) > 0))`, []any{"b"}},
		{`{"$or": [{"name": "a"}, {"temp": {"$lt": 0}}]}`, `((((((c1 = ?))) OR (((c2 < ?))))))`, []any{"a", 0.0}},
		{`{"$nor": [{"name": "a"}]}`, `((NOT (COALESCE((((c1 = ?))), FALSE))))`, []any{"a"}},
		{`{"$or": []}`, `((1 = 1))`, nil},
		{`{"id": "x", "createdAt": {"$gte": 1000}}`, `((created_at >= ?) AND (id = ?))`, []any{int64(1000), "x"}},
	} {
		sql, args, err := compileText(t, c.doc)
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		if sql != c.sql {
			t.Errorf("%s:\n got %s\nwant %s", c.doc, sql, c.sql)
		}
		if len(args) != len(c.args) {
			t.Errorf("%s: args %v, want %v", c.doc, args, c.args)
			continue
		}
		for i := range args {
			if args[i] != c.args[i] {
				t.Errorf("%s: args %v, want %v", c.doc, args, c.args)
				break
			}
		}
	}
}

// FuzzTableQuery checks that any query document either is refused with
// Validation or compiles to SQL with one argument per placeholder and
// balanced parentheses, and never panics.
func FuzzTableQuery(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"name": "a"}`, `{"temp": {"$gt": 1, "$lt": 9}}`, `{"$or": [{"name": null}, {"on": true}]}`,
		`{"$nor": [{"$and": [{"name": {"$startsWith": "a", "$ci": true}}]}]}`, `{"name": {"$in": ["a", 1, true]}}`,
		`{"createdAt": {"$gte": "2026-01-01T00:00:00Z"}}`, `{"nope": 1}`, `[1]`, `{"temp": {"$regex": "x"}}`,
		`{"$and": [{"$or": [{"$nor": [{"temp": {"$nin": [1, 2]}}]}]}]}`, `{"name": {"$endsWith": "é"}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		dt := queryTable()
		q, err := weir.ParseTableQuery(v, &dt.DataTable)
		if err != nil {
			if weir.ErrorTypeOf(err) != weir.Validation {
				t.Fatalf("%s: error %v, want Validation", doc, err)
			}
			return
		}
		s := &Store{d: Dialect{Position: func(text, needle string) string { return "instr(" + text + ", " + needle + ")" }}}
		sql, args := s.compileTableQuery(q, dt)
		if n := strings.Count(sql, "?"); n != len(args) {
			t.Fatalf("%s: %d placeholders for %d args in %s", doc, n, len(args), sql)
		}
		if strings.Count(sql, "(") != strings.Count(sql, ")") {
			t.Fatalf("%s: unbalanced %s", doc, sql)
		}
		for _, a := range args {
			switch a.(type) {
			case string, float64, bool, int, int64:
			default:
				t.Fatalf("%s: argument %#v of type %T", doc, a, a)
			}
		}
	})
}
