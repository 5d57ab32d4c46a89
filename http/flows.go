package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// flowsResponse is a page of flows (schema flows.json).
type flowsResponse struct {
	Items []*flowResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	FlowClass     string `json:"flowClass,omitempty"` // empty when an advanced query replaced it
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleFlowsGet answers GET /applications/{applicationId}/flows. An
// advanced query replaces the flowClass, filter and triggerFilter
// parameters (with allVersions=true a flow also matches when one of its
// versions does); triggerFilter keeps the flows whose default version has a
// matching trigger.
func (s *Server) handleFlowsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	filter := weir.FlowFilter{ApplicationID: req.appID, FlowClass: req.query["flowClass"], ListOptions: opts}
	tf, err := parseTriggerFilter(r.URL.Query())
	if err != nil {
		return err
	}
	var q advancedQuery
	if text := req.query["query"]; text != "" {
		if q, err = parseAdvancedQuery(text, "query", "advancedFlowQuery"); err != nil {
			return err
		}
		filter.FlowClass, filter.FilterField, filter.Filter, tf = "", "", "", nil
	}
	flows, total, err := s.findFlows(r, filter, flowMatcher{q: q, allVersions: q != nil && truthy(req.query["allVersions"]), tf: tf})
	if err != nil {
		return err
	}
	resp := &flowsResponse{
		Items:         make([]*flowResponse, 0, len(flows)),
		listPage:      newListPage(len(flows), total, filter.ListOptions),
		ApplicationID: req.appID,
		FlowClass:     filter.FlowClass,
		Type:          "flows",
		Links: linksFor(req.links, pathFlows, map[string]string{"application": pathApplication},
			"{applicationId}", req.appID),
	}
	for _, f := range flows {
		resp.Items = append(resp.Items, newFlowResponse(f, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// flowMatcher is what Flows get filters the store's flows by, beyond the
// store's own filters.
type flowMatcher struct {
	q           advancedQuery // nil: none
	allVersions bool          // q also matches a flow through its versions
	tf          triggerFilter // empty: none
}

// findFlows returns one page of the flows filter selects and how many
// match: the store pages them, unless m filters, which then filters every
// flow the store selects before paging.
func (s *Server) findFlows(r *http.Request, filter weir.FlowFilter, m flowMatcher) ([]*weir.Flow, int, error) {
	if m.q == nil && len(m.tf) == 0 {
		return s.Flows.FindFlows(r.Context(), filter)
	}
	opts := filter.ListOptions
	filter.Page, filter.PerPage = 0, 0
	all, _, err := s.Flows.FindFlows(r.Context(), filter)
	if err != nil {
		return nil, 0, err
	}
	matched := all[:0]
	for _, f := range all {
		ok, err := s.matchFlow(r, f, m)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			matched = append(matched, f)
		}
	}
	return pageOf(matched, opts), len(matched), nil
}

// matchFlow reports whether f passes m.
func (s *Server) matchFlow(r *http.Request, f *weir.Flow, m flowMatcher) (bool, error) {
	if m.q != nil && !m.q.matchFlow(f) {
		if !m.allVersions {
			return false, nil
		}
		if ok, err := s.anyVersionMatches(r, f, m.q); !ok || err != nil {
			return false, err
		}
	}
	if len(m.tf) == 0 {
		return true, nil
	}
	triggers, err := s.defaultTriggers(r, f)
	if err != nil {
		return false, err
	}
	return m.tf.match(triggers), nil
}

// anyVersionMatches reports whether one of f's versions satisfies q (its
// name condition compares the version's name).
func (s *Server) anyVersionMatches(r *http.Request, f *weir.Flow, q advancedQuery) (bool, error) {
	if s.Versions == nil {
		return false, errNoVersionService
	}
	vs, _, err := s.Versions.FindFlowVersions(r.Context(), weir.FlowVersionFilter{ApplicationID: f.ApplicationID, FlowID: f.ID})
	if err != nil {
		return false, err
	}
	for _, v := range vs {
		if q.matchVersion(v) {
			return true, nil
		}
	}
	return false, nil
}

// defaultTriggers returns the triggers of f's default version.
func (s *Server) defaultTriggers(r *http.Request, f *weir.Flow) ([]weir.Trigger, error) {
	if f.DefaultVersionID == nil {
		return f.Triggers, nil
	}
	if s.Versions == nil {
		return nil, errNoVersionService
	}
	v, err := s.Versions.FindFlowVersion(r.Context(), f.ApplicationID, f.ID, *f.DefaultVersionID)
	if weir.ErrorTypeOf(err) == weir.NotFound { // deleted meanwhile: develop runs
		return f.Triggers, nil
	}
	if err != nil {
		return nil, err
	}
	return v.Triggers, nil
}

// handleFlowsPost answers POST /applications/{applicationId}/flows: a new
// flow, class cloud and enabled unless the body says otherwise, running its
// develop version.
func (s *Server) handleFlowsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name                string            `json:"name"`
		Description         string            `json:"description"`
		ShortDescription    string            `json:"shortDescription"`
		IconData            *string           `json:"iconData"`
		DocsURL             string            `json:"docsUrl"`
		Category            string            `json:"category"`
		Enabled             *bool             `json:"enabled"`
		FlowClass           string            `json:"flowClass"`
		Triggers            []weir.Trigger    `json:"triggers"`
		Nodes               []weir.Node       `json:"nodes"`
		Globals             []weir.Global     `json:"globals"`
		MinimumAgentVersion string            `json:"minimumAgentVersion"`
		CustomNodeConfig    json.RawMessage   `json:"customNodeConfig"`
		CustomNodeSupports  []string          `json:"customNodeSupports"`
		Weir                weir.FlowSettings `json:"weir"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "flow is the wrong type")
	}
	f := &weir.Flow{
		ID:                 weir.NewID(),
		ApplicationID:      req.appID,
		Name:               in.Name,
		Description:        in.Description,
		ShortDescription:   in.ShortDescription,
		DocsURL:            in.DocsURL,
		Category:           in.Category,
		Enabled:            in.Enabled == nil || *in.Enabled,
		FlowClass:          in.FlowClass,
		CustomNodeSupports: in.CustomNodeSupports,
		Weir:               in.Weir,
		Definition: weir.Definition{
			Triggers:            nonNil(in.Triggers),
			Nodes:               nonNil(in.Nodes),
			Globals:             nonNil(in.Globals),
			MinimumAgentVersion: in.MinimumAgentVersion,
			CustomNodeConfig:    rawOrNil(in.CustomNodeConfig),
		},
	}
	if in.IconData != nil {
		f.IconData = *in.IconData
	}
	if f.FlowClass == "" {
		f.FlowClass = weir.FlowClassCloud
	}
	f.CreatedByType, f.CreatedByID = creator(req.identity)
	f.LastUpdatedByType, f.LastUpdatedByID = f.CreatedByType, f.CreatedByID
	f.Definition.AssignTriggerKeys(f.ID)
	if err := f.Validate(); err != nil {
		return err
	}
	if err := s.Flows.CreateFlow(r.Context(), f); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newFlowResponse(f, req.links))
	return nil
}
