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
	FlowClass     string `json:"flowClass"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleFlowsGet answers GET /applications/{applicationId}/flows. The query
// and triggerFilter parameters are refused with 400 until supported.
func (s *Server) handleFlowsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	filter := weir.FlowFilter{ApplicationID: req.appID, FlowClass: req.query["flowClass"], ListOptions: opts}
	flows, total, err := s.Flows.FindFlows(r.Context(), filter)
	if err != nil {
		return err
	}
	resp := &flowsResponse{
		Items:         make([]*flowResponse, 0, len(flows)),
		listPage:      newListPage(len(flows), total, opts),
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

// handleFlowsPost answers POST /applications/{applicationId}/flows: a new
// flow, class cloud and enabled unless the body says otherwise, running its
// develop version.
func (s *Server) handleFlowsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name                string          `json:"name"`
		Description         string          `json:"description"`
		ShortDescription    string          `json:"shortDescription"`
		IconData            *string         `json:"iconData"`
		DocsURL             string          `json:"docsUrl"`
		Category            string          `json:"category"`
		Enabled             *bool           `json:"enabled"`
		FlowClass           string          `json:"flowClass"`
		Triggers            []weir.Trigger  `json:"triggers"`
		Nodes               []weir.Node     `json:"nodes"`
		Globals             []weir.Global   `json:"globals"`
		MinimumAgentVersion string          `json:"minimumAgentVersion"`
		CustomNodeConfig    json.RawMessage `json:"customNodeConfig"`
		CustomNodeSupports  []string        `json:"customNodeSupports"`
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
