package http

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weirhq/weir"
)

// errNoTableService is the internal error of data table routes served
// without Server.Tables.
var errNoTableService = errors.New("http: Server.Tables is not set")

// tableListParams are the query parameters of dataTables.get.
var tableListParams = listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"})

// tableLinks are the resource links of a data table.
var tableLinks = map[string]string{"application": pathApplication, "dataTables": pathTables}

// tableResponse is a data table as the API returns it.
type tableResponse struct {
	*weir.DataTable
	Type  string `json:"_type"`
	Links links  `json:"_links,omitempty"`
}

// MarshalJSON keeps the table's own encoding (with dataTableId) and adds
// _type and _links.
func (t *tableResponse) MarshalJSON() ([]byte, error) {
	b, err := t.DataTable.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["_type"] = t.Type
	if t.Links != nil {
		m["_links"] = t.Links
	}
	return json.Marshal(m)
}

func newTableResponse(t *weir.DataTable, req *request) *tableResponse {
	return &tableResponse{DataTable: t, Type: "dataTable",
		Links: linksFor(req.links, pathTable, tableLinks, "{applicationId}", t.ApplicationID, "{dataTableId}", t.ID)}
}

// tablesResponse is a page of an application's data tables.
type tablesResponse struct {
	Items []*tableResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleTablesGet answers GET …/data-tables: one page of the application's
// tables, sorted and filtered by name.
func (s *Server) handleTablesGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	opts := listOptions(req.query)
	ts, total, err := s.Tables.FindDataTables(r.Context(), weir.DataTableFilter{ApplicationID: req.appID, ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &tablesResponse{
		Items:         make([]*tableResponse, 0, len(ts)),
		listPage:      newListPage(len(ts), total, opts),
		ApplicationID: req.appID,
		Type:          "dataTables",
		Links:         linksFor(req.links, pathTables, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, t := range ts {
		resp.Items = append(resp.Items, newTableResponse(t, req))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// tableBody is a schema-valid dataTablePost or dataTablePatch body.
type tableBody struct {
	Name        *string                `json:"name"`
	Description *string                `json:"description"`
	Columns     []weir.DataTableColumn `json:"columns"`
}

// handleTablesPost answers POST …/data-tables with 201 and the new table.
func (s *Server) handleTablesPost(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	var in tableBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "dataTable is the wrong type")
	}
	t := &weir.DataTable{ApplicationID: req.appID, Columns: in.Columns}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if err := s.Tables.CreateDataTable(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newTableResponse(t, req))
	return nil
}

// handleTableGet answers GET …/data-tables/{dataTableId}.
func (s *Server) handleTableGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	t, err := s.Tables.FindDataTableByID(r.Context(), req.appID, req.tableID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTableResponse(t, req))
	return nil
}

// handleTablePatch answers PATCH …/data-tables/{dataTableId}: a new name
// or description. Columns change through addColumn and removeColumn.
func (s *Server) handleTablePatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	var in tableBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "dataTable is the wrong type")
	}
	t, err := s.Tables.FindDataTableByID(r.Context(), req.appID, req.tableID)
	if err != nil {
		return err
	}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if t, err = s.Tables.UpdateDataTable(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTableResponse(t, req))
	return nil
}

// handleTableDelete answers DELETE …/data-tables/{dataTableId}.
func (s *Server) handleTableDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	if err := s.Tables.DeleteDataTable(r.Context(), req.appID, req.tableID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleTableAddColumn answers POST …/data-tables/{dataTableId}/column.
func (s *Server) handleTableAddColumn(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	var c weir.DataTableColumn
	if err := json.Unmarshal(req.body, &c); err != nil {
		return weir.Errorf(weir.Validation, "dataTableColumn is the wrong type")
	}
	t, err := s.Tables.AddDataTableColumn(r.Context(), req.appID, req.tableID, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTableResponse(t, req))
	return nil
}

// handleTableRemoveColumn answers DELETE
// …/data-tables/{dataTableId}/column?columnName=….
func (s *Server) handleTableRemoveColumn(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Tables == nil {
		return errNoTableService
	}
	name := req.query["columnName"]
	if name == "" {
		return weir.Errorf(weir.Validation, "columnName is required")
	}
	if !validTagKey(name) {
		return weir.Errorf(weir.Validation, "columnName pattern mismatch")
	}
	t, err := s.Tables.RemoveDataTableColumn(r.Context(), req.appID, req.tableID, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTableResponse(t, req))
	return nil
}
