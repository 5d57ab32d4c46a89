package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
	"github.com/weirhq/weir/store/sqlite"
)

// TestRowQueryFaults: a query document that is malformed or names an
// unknown column answers 400 Validation naming the path of the fault, for
// dataTableRows.query and dataTableRows.delete alike, and deletes nothing.
func TestRowQueryFaults(t *testing.T) {
	e := newMatrixEnv(t)
	tok := e.harness().token("user", e.userID, "all.User")
	before := e.snapshot()
	for body, want := range map[string]string{
		`{"label": {"$regex": "x"}}`:      "query.label.$regex: is not a query operator",
		`{"$or": {"label": 1}}`:           "query.$or: must be an array",
		`{"label": {"$in": [[1]]}}`:       "query.label.$in[0]: must be a value",
		`[1]`:                             "query: must be an object",
		`{"label": {"$gt": {"a": 1}}}`:    "query.label.$gt: must be a value",
		`{"$and": [{"colour": "red"}]}`:   "query.$and[0].colour: is not a column of the table",
		`{"label": {"$startsWith": ""}}`:  "query.label.$startsWith: must be a non-empty string",
		`{"label": {"$ci": 1, "$eq": 1}}`: "query.label.$ci: must be a boolean",
	} {
		for _, action := range []string{"query", "delete"} {
			rec := e.request(matrixRoute{"dataTableRows." + action, "POST", "/applications/{applicationId}/data-tables/{dataTableId}/rows/" + action, body, 0}, tok)
			var got struct{ Type, Message string }
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code != http.StatusBadRequest || got.Type != "Validation" || got.Message != want {
				t.Errorf("%s %s = %d %s, want 400 Validation %q", action, body, rec.Code, rec.Body, want)
			}
		}
	}
	if !reflect.DeepEqual(before, e.snapshot()) {
		t.Error("a refused query changed the store")
	}
}

// TestSQLiteDataTables drives the data table resources over the real
// SQLite store, checking every answer against Losant's response schema.
func TestSQLiteDataTables(t *testing.T) {
	h, _, user := newSQLiteAPI(t, func(s *weirhttp.Server, db *sqlite.DB) { s.Tables = db })
	must := h.mustAs(t, user)
	app := must("POST", "/applications", `{"name":"Tables"}`, 201, "application")["id"].(string)
	tables := "/applications/" + app + "/data-tables"
	tb := must("POST", tables, `{"name":"stock","columns":[{"name":"sku","dataType":"string","constraint":"unique"},
		{"name":"qty","dataType":"number","constraint":"required","defaultValue":0}]}`, 201, "dataTable")["id"].(string)
	must("GET", tables, nil, 200, "dataTables")
	must("GET", tables+"/"+tb, nil, 200, "dataTable")
	must("PATCH", tables+"/"+tb, `{"description":"parts"}`, 200, "dataTable")
	must("POST", tables+"/"+tb+"/column", `{"name":"on","dataType":"boolean","constraint":"optional"}`, 200, "dataTable")
	must("DELETE", tables+"/"+tb+"/column?columnName=on", nil, 200, "dataTable")
	rows := tables + "/" + tb + "/rows"
	row := must("POST", rows, `{"sku":"a","qty":2}`, 201, "dataTableRowInsertResult")["id"].(string)
	must("POST", rows, `[{"sku":"b"},{"sku":"c","qty":5}]`, 201, "dataTableRowInsertResult")
	must("GET", rows+"?sortColumn=qty&sortDirection=desc&limit=2", nil, 200, "dataTableRows")
	if got := must("POST", rows+"/query", `{"qty":{"$gt":1}}`, 200, "dataTableRows"); got["totalCount"] != 2.0 {
		t.Errorf("query = %v, want 2 rows", got)
	}
	must("GET", rows+"/"+row, nil, 200, "dataTableRow")
	must("PATCH", rows+"/"+row, `{"qty":3}`, 200, "dataTableRow")
	must("DELETE", rows+"/"+row, nil, 200, "success")
	must("POST", rows+"/delete", `{"sku":"b"}`, 200, "dataTableRowsDelete")
	must("POST", rows+"/truncate", nil, 200, "success")
	must("DELETE", tables+"/"+tb, nil, 200, "success")
}

// newSQLiteAPI serves the API over a new SQLite store (configure may add
// services) and returns a harness, the store and an all.User token.
func newSQLiteAPI(t *testing.T, configure func(s *weirhttp.Server, db *sqlite.DB)) (*harness, *sqlite.DB, string) {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "weir.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer := &auth.Signer{Key: []byte("sqlite test key sqlite test key!")}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens, s.Storage, s.Logs, s.Runs, s.Versions = db, db, db, db, db, db, db
	s.Signer = signer
	if configure != nil {
		configure(s, db)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv, signer: signer, userID: weir.NewID()}
	rec := &weir.Token{ID: weir.NewID(), OwnerType: weir.OwnerUser, OwnerID: h.userID, Scope: []string{"all.User"}, Status: weir.TokenActive, Name: "admin"}
	user, err := signer.Sign(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	return h, db, user
}
