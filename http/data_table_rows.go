package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// rowQueryParams are the query parameters of dataTableRows.get and query.
var rowQueryParams = []queryParam{
	{name: "sortColumn", kind: paramString},
	{name: "sortDirection", kind: paramEnum, def: "asc", enum: []string{"asc", "desc", "ASC", "DESC"}},
	{name: "limit", kind: paramInt, def: strconv.Itoa(weir.DefaultRowsPerQuery), min: 0, max: weir.MaxRowsPerQuery},
	{name: "offset", kind: paramInt, def: "0", min: 0, max: 1 << 31},
	{name: "includeFields", kind: paramString},
}

// rowDeleteParams are the query parameters of dataTableRows.delete.
var rowDeleteParams = []queryParam{
	{name: "limit", kind: paramInt, def: strconv.Itoa(weir.DefaultRowsPerDelete), min: 1, max: weir.MaxRowsPerDelete},
}

// rowsResponse is a page of rows (schema dataTableRows).
type rowsResponse struct {
	Items         []map[string]any `json:"items"`
	Count         int              `json:"count"`
	TotalCount    int              `json:"totalCount"`
	Limit         int              `json:"limit"`
	Offset        int              `json:"offset"`
	SortColumn    string           `json:"sortColumn,omitempty"`
	SortDirection string           `json:"sortDirection"`
	DataTableID   string           `json:"dataTableId"`
	ApplicationID string           `json:"applicationId"`
	Query         any              `json:"query"`
}

// handleRowsGet answers GET …/rows: a page of every row.
func (s *Server) handleRowsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	return s.findRows(w, r, req, nil)
}

// handleRowsQuery answers POST …/rows/query: a page of the rows the body's
// query document (Losant's advancedQuery; none: every row) matches.
func (s *Server) handleRowsQuery(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := decodeRowQuery(req)
	if err != nil {
		return err
	}
	return s.findRows(w, r, req, q)
}

func (s *Server) findRows(w http.ResponseWriter, r *http.Request, req *request, query any) error {
	if s.Tables == nil {
		return errNoTableService
	}
	limit, _ := strconv.Atoi(req.query["limit"])
	offset, _ := strconv.Atoi(req.query["offset"])
	f := weir.RowFilter{ApplicationID: req.appID, TableID: req.tableID, Query: query,
		SortColumn: req.query["sortColumn"], SortDirection: strings.ToLower(req.query["sortDirection"]), Limit: limit, Offset: offset}
	if limit == 0 {
		f.Limit = -1 // a count only
	}
	rows, total, err := s.findRowsPage(r, f)
	if err != nil {
		return err
	}
	resp := &rowsResponse{Items: make([]map[string]any, 0, len(rows)), Count: len(rows), TotalCount: total, Limit: limit,
		Offset: offset, SortColumn: f.SortColumn, SortDirection: f.SortDirection, DataTableID: req.tableID,
		ApplicationID: req.appID, Query: query}
	if resp.Query == nil {
		resp.Query = map[string]any{}
	}
	fields := includeFields(req.query["includeFields"])
	for _, row := range rows {
		resp.Items = append(resp.Items, projectRow(row, fields))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// findRowsPage reads the page f selects; a negative Limit reads only the
// count.
func (s *Server) findRowsPage(r *http.Request, f weir.RowFilter) ([]*weir.DataTableRow, int, error) {
	if f.Limit >= 0 {
		return s.Tables.FindDataTableRows(r.Context(), f)
	}
	f.Limit = 1
	_, total, err := s.Tables.FindDataTableRows(r.Context(), f)
	return nil, total, err
}

// includeFields splits a comma-separated field list; nil means every field.
func includeFields(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// projectRow returns the row's JSON object with only fields (and its id);
// nil fields keeps every field.
func projectRow(row *weir.DataTableRow, fields []string) map[string]any {
	m := row.Object()
	if fields == nil {
		return m
	}
	out := map[string]any{weir.RowFieldID: m[weir.RowFieldID]}
	for _, f := range fields {
		if v, ok := m[f]; ok {
			out[f] = v
		}
	}
	return out
}

// decodeRowQuery decodes the optional query body.
func decodeRowQuery(req *request) (any, error) {
	if len(req.body) == 0 {
		return nil, nil
	}
	var q any
	if err := json.Unmarshal(req.body, &q); err != nil {
		return nil, weir.Errorf(weir.Validation, "query is the wrong type")
	}
	return q, nil
}

// bulkInsertResponse answers an insert of an array of rows.
type bulkInsertResponse struct {
	CreatedAt time.Time `json:"createdAt"`
	Count     int       `json:"count"`
	RowIDs    []string  `json:"rowIds"`
}

// handleRowsPost answers POST …/rows with 201: the row, for one object, or
// {count, rowIds, createdAt} for an array (at most weir.MaxRowsPerInsert).
func (s *Server) handleRowsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	bulk := bytes.HasPrefix(bytes.TrimSpace(req.body), []byte("["))
	var values []map[string]any
	if bulk {
		if err := json.Unmarshal(req.body, &values); err != nil {
			return weir.Errorf(weir.Validation, "dataTableRow is the wrong type")
		}
	} else {
		var one map[string]any
		if err := json.Unmarshal(req.body, &one); err != nil {
			return weir.Errorf(weir.Validation, "dataTableRow is the wrong type")
		}
		values = []map[string]any{one}
	}
	rows, err := s.Tables.InsertDataTableRows(r.Context(), req.appID, req.tableID, values)
	if err != nil {
		return err
	}
	if s.TableEvents != nil && len(rows) > 0 {
		if err := s.TableEvents.RowsInserted(r.Context(), req.appID, req.tableID, rows, bulk); err != nil {
			return err
		}
	}
	if !bulk {
		writeJSON(w, http.StatusCreated, rows[0])
		return nil
	}
	resp := bulkInsertResponse{CreatedAt: time.Now().UTC().Truncate(time.Millisecond), Count: len(rows), RowIDs: make([]string, 0, len(rows))}
	for _, row := range rows {
		resp.RowIDs = append(resp.RowIDs, row.ID)
		resp.CreatedAt = row.CreatedAt
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// handleRowsDelete answers POST …/rows/delete: deletes up to limit rows
// the body's query matches (none: any), oldest first, and answers
// {removed}.
func (s *Server) handleRowsDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	q, err := decodeRowQuery(req)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(req.query["limit"])
	rows, err := s.Tables.DeleteDataTableRows(r.Context(), weir.RowFilter{ApplicationID: req.appID, TableID: req.tableID,
		Query: q, Limit: limit})
	if err != nil {
		return err
	}
	if s.TableEvents != nil && len(rows) > 0 {
		if err := s.TableEvents.RowsDeleted(r.Context(), req.appID, req.tableID, rows); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"removed": len(rows)})
	return nil
}

// handleRowsTruncate answers POST …/rows/truncate: every row goes, and no
// dataTable trigger fires.
func (s *Server) handleRowsTruncate(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	if err := s.Tables.TruncateDataTable(r.Context(), req.appID, req.tableID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// rowsExport is the body of dataTableRows.export.
type rowsExport struct {
	exportDestination
	Query        any `json:"query"`
	QueryOptions struct {
		SortColumn    string   `json:"sortColumn"`
		SortDirection string   `json:"sortDirection"`
		Limit         *float64 `json:"limit"`
		Offset        float64  `json:"offset"`
	} `json:"queryOptions"`
}

// handleRowsExport answers POST …/rows/export with 202 and a job that
// writes the rows the body's query matches (every row without one) as a
// CSV: id, createdAt, updatedAt, then the table's columns in order, sorted
// and windowed by queryOptions, at most MaxExportRows (export.go).
func (s *Server) handleRowsExport(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	var in rowsExport
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "exportData is the wrong type")
	}
	o := in.QueryOptions
	if o.Offset < 0 || o.Offset != float64(int(o.Offset)) || o.Limit != nil && (*o.Limit < 0 || *o.Limit != float64(int(*o.Limit))) {
		return weir.Errorf(weir.Validation, "queryOptions.limit and queryOptions.offset must be non-negative integers")
	}
	if err := in.check(s); err != nil {
		return err
	}
	t, err := s.Tables.FindDataTableByID(r.Context(), req.appID, req.tableID)
	if err != nil {
		return err
	}
	f := weir.RowFilter{ApplicationID: req.appID, TableID: req.tableID, Query: in.Query,
		SortColumn: o.SortColumn, SortDirection: strings.ToLower(o.SortDirection), Offset: int(o.Offset)}
	if f.SortDirection == "" {
		f.SortDirection = "asc"
	}
	// The query and sort are checked now, so that a bad one is a 400.
	if _, _, err := s.Tables.FindDataTableRows(r.Context(), weir.RowFilter{ApplicationID: f.ApplicationID, TableID: f.TableID,
		Query: f.Query, SortColumn: f.SortColumn, SortDirection: f.SortDirection, Limit: 1}); err != nil {
		return err
	}
	want := -1 // every row
	if o.Limit != nil && *o.Limit > 0 {
		want = int(*o.Limit)
	}
	header := []string{"id", "createdAt", "updatedAt"}
	for _, c := range t.Columns {
		header = append(header, c.Name)
	}
	return s.startExport(w, r, req, in.exportDestination, "data-table-"+exportFileName(t.Name), "csv", func(ctx context.Context) (*exportFile, error) {
		b := s.newCSV(header)
		for {
			f.Limit = exportPageSize
			rows, _, err := s.Tables.FindDataTableRows(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, row := range rows {
				if want >= 0 && b.f.count >= want {
					return b.file(), nil
				}
				rec := []string{row.ID, csvCell(row.CreatedAt), csvCell(row.UpdatedAt)}
				for _, c := range t.Columns {
					rec = append(rec, csvCell(row.Values[c.Name]))
				}
				if !b.add(rec) {
					return b.file(), nil
				}
			}
			if len(rows) < exportPageSize {
				return b.file(), nil
			}
			f.Offset += len(rows)
		}
	})
}

// handleRowGet answers GET …/rows/{rowId}.
func (s *Server) handleRowGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	row, err := s.Tables.FindDataTableRow(r.Context(), req.appID, req.tableID, req.rowID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, row)
	return nil
}

// handleRowPatch answers PATCH …/rows/{rowId}: the given columns change,
// the others keep their values.
func (s *Server) handleRowPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	var values map[string]any
	if err := json.Unmarshal(req.body, &values); err != nil {
		return weir.Errorf(weir.Validation, "dataTableRow is the wrong type")
	}
	old, row, err := s.Tables.UpdateDataTableRow(r.Context(), req.appID, req.tableID, req.rowID, values)
	if err != nil {
		return err
	}
	if s.TableEvents != nil {
		if err := s.TableEvents.RowUpdated(r.Context(), req.appID, req.tableID, old, row); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, row)
	return nil
}

// handleRowDelete answers DELETE …/rows/{rowId}.
func (s *Server) handleRowDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	row, err := s.Tables.DeleteDataTableRow(r.Context(), req.appID, req.tableID, req.rowID)
	if err != nil {
		return err
	}
	if s.TableEvents != nil {
		if err := s.TableEvents.RowsDeleted(r.Context(), req.appID, req.tableID, []*weir.DataTableRow{row}); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
