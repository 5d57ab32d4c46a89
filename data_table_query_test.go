package weir_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

func TestParseTableQueryLimits(t *testing.T) {
	tb := &weir.DataTable{Name: "t", Columns: []weir.DataTableColumn{{Name: "n", DataType: weir.ColumnNumber, Constraint: weir.ColumnOptional}}}
	parse := func(doc string) error {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		_, err := weir.ParseTableQuery(v, tb)
		return err
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = "1"
	}
	manyConds := make([]string, 100)
	for i := range manyConds {
		manyConds[i] = `{"n": {"$gt": 1, "$lt": 2, "$ne": 3, "$gte": 0, "$lte": 9, "$eq": 1}}`
	}
	for doc, want := range map[string]string{
		`{"n": {"$in": [` + strings.Join(many, ",") + `]}}`:    "query.n.$in: has more than 100 items",
		`{"$or": [` + strings.Join(manyConds[:84], ",") + `]}`: "the query has more than 500 conditions",
		`{"$and": [1]}`:              "query.$and[0]: must be an object",
		`{"n": {"$in": [{"a": 1}]}}`: "query.n.$in[0]: must be a value",
		`{"n": {"$eq": [1]}}`:        "query.n.$eq: must be a value",
		`{"n": {"$contains": "1"}}`:  "query.n.$contains: applies to text columns only",
	} {
		err := parse(doc)
		if weir.ErrorTypeOf(err) != weir.Validation || !strings.Contains(weir.ErrorMessage(err), want) {
			t.Errorf("%.60s…: %v, want Validation containing %q", doc, err, want)
		}
	}
	if err := parse(`{"$or": [` + strings.Join(manyConds[:83], ",") + `]}`); err != nil {
		t.Errorf("498 conditions: %v", err)
	}
}
