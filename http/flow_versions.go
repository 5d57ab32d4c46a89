package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// versionListParams are the list parameters of Flow Versions get: sorted by
// version name unless asked otherwise, filtered by version name.
var versionListParams = func() []queryParam {
	ps := listParams([]string{"version", "id", "creationDate", "lastUpdated"}, []string{"version"})
	ps[0].def = "version"
	return append(ps, customNodesParam, queryParam{name: "query", kind: paramString})
}()

// flowVersionsResponse is a page of a flow's versions (schema
// flowVersions.json).
type flowVersionsResponse struct {
	Items []*flowVersionResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	FlowID        string `json:"flowId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleFlowVersionsGet answers GET …/flows/{flowId}/versions.
func (s *Server) handleFlowVersionsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if s.Versions == nil {
		return errNoVersionService
	}
	opts := listOptions(req.query)
	if opts.FilterField == "name" { // listOptions' default filter field
		opts.FilterField = "version"
	}
	vs, total, err := s.findVersions(r, req, opts)
	if err != nil {
		return err
	}
	resp := &flowVersionsResponse{
		Items:         make([]*flowVersionResponse, 0, len(vs)),
		listPage:      newListPage(len(vs), total, opts),
		ApplicationID: req.appID,
		FlowID:        req.flowID,
		Type:          "flowVersions",
		Links:         linksFor(req.links, pathVersions, nil, "{applicationId}", req.appID, "{flowId}", req.flowID),
	}
	for _, v := range vs {
		resp.Items = append(resp.Items, newFlowVersionResponse(v, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleFlowVersionsPost answers POST …/flows/{flowId}/versions: a snapshot
// of the develop version, with any definition field the body gives replacing
// develop's. A taken name is 400 unless allowReplacement=true, which
// replaces that version in place (it keeps its id).
func (s *Server) handleFlowVersionsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Version             string           `json:"version"`
		Notes               string           `json:"notes"`
		Enabled             *bool            `json:"enabled"`
		Triggers            *[]weir.Trigger  `json:"triggers"`
		Nodes               *[]weir.Node     `json:"nodes"`
		Globals             *[]weir.Global   `json:"globals"`
		MinimumAgentVersion *string          `json:"minimumAgentVersion"`
		CustomNodeConfig    *json.RawMessage `json:"customNodeConfig"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "flowVersion is the wrong type")
	}
	f, err := s.findFlow(r, req)
	if err != nil {
		return err
	}
	if s.Versions == nil {
		return errNoVersionService
	}
	def := f.Definition
	if in.Triggers != nil {
		def.Triggers = nonNil(*in.Triggers)
	}
	if in.Nodes != nil {
		def.Nodes = nonNil(*in.Nodes)
	}
	if in.Globals != nil {
		def.Globals = nonNil(*in.Globals)
	}
	if in.MinimumAgentVersion != nil {
		def.MinimumAgentVersion = *in.MinimumAgentVersion
	}
	if in.CustomNodeConfig != nil {
		def.CustomNodeConfig = rawOrNil(*in.CustomNodeConfig)
	}
	def.AssignTriggerKeys(f.ID)
	v := &weir.FlowVersion{
		ApplicationID: req.appID,
		FlowID:        f.ID,
		Version:       in.Version,
		Notes:         in.Notes,
		Enabled:       in.Enabled == nil || *in.Enabled,
		FlowClass:     f.FlowClass,
		Definition:    def,
	}
	if err := v.Validate(); err != nil {
		return err
	}
	v.CreatedByType, v.CreatedByID = creator(req.identity)
	v.LastUpdatedByType, v.LastUpdatedByID = v.CreatedByType, v.CreatedByID
	if err := s.Versions.CreateFlowVersion(r.Context(), v, truthy(req.query["allowReplacement"])); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newFlowVersionResponse(v, req.links))
	return nil
}

// findVersions returns one page of the flow's versions and how many match:
// the store pages them, unless the request has an advanced query, which
// filters every version the list options select before paging.
func (s *Server) findVersions(r *http.Request, req *request, opts weir.ListOptions) ([]*weir.FlowVersion, int, error) {
	filter := weir.FlowVersionFilter{ApplicationID: req.appID, FlowID: req.flowID, ListOptions: opts}
	text := req.query["query"]
	if text == "" {
		return s.Versions.FindFlowVersions(r.Context(), filter)
	}
	q, err := parseAdvancedQuery(text, "query", "advancedFlowVersionQuery")
	if err != nil {
		return nil, 0, err
	}
	filter.Page, filter.PerPage = 0, 0
	all, _, err := s.Versions.FindFlowVersions(r.Context(), filter)
	if err != nil {
		return nil, 0, err
	}
	matched := all[:0]
	for _, v := range all {
		if q.matchVersion(v) {
			matched = append(matched, v)
		}
	}
	return pageOf(matched, opts), len(matched), nil
}

// bulkDeleteResponse is the answer of Flow Versions delete (schema
// bulkDeleteResponse.json).
type bulkDeleteResponse struct {
	Removed int `json:"removed"`
	Failed  int `json:"failed"`
}

// handleFlowVersionsDelete answers POST …/flows/{flowId}/versions/delete:
// it deletes every version of the flow the body's advanced query matches,
// at once, and counts those removed and those that could not be (the
// flow's default version cannot be deleted). email and callbackUrl are
// accepted and ignored: the answer is always 200, never a queued job.
func (s *Server) handleFlowVersionsDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Query json.RawMessage `json:"query"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "options is the wrong type")
	}
	q, err := decodeAdvancedQuery(in.Query)
	if err != nil {
		return err
	}
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if s.Versions == nil {
		return errNoVersionService
	}
	all, _, err := s.Versions.FindFlowVersions(r.Context(), weir.FlowVersionFilter{ApplicationID: req.appID, FlowID: req.flowID})
	if err != nil {
		return err
	}
	var resp bulkDeleteResponse
	for _, v := range all {
		if !q.matchVersion(v) {
			continue
		}
		err := s.Versions.DeleteFlowVersion(r.Context(), req.appID, req.flowID, v.ID)
		switch weir.ErrorTypeOf(err) {
		case "":
			resp.Removed++
		case weir.Validation, weir.NotFound: // the default version; deleted meanwhile
			resp.Failed++
		default:
			return err
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
