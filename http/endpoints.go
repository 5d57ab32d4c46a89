package http

import (
	"net/http"

	"github.com/weirhq/weir"
)

// endpointsResponse is a page of an application's experience endpoints.
type endpointsResponse struct {
	Items []*endpointResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleEndpointsGet answers GET /applications/{applicationId}/experience/endpoints.
func (s *Server) handleEndpointsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Endpoints == nil {
		return errNoEndpointService
	}
	opts := listOptions(req.query)
	es, total, err := s.Endpoints.FindExperienceEndpoints(r.Context(),
		weir.ExperienceEndpointFilter{ApplicationID: req.appID, ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &endpointsResponse{
		Items:         make([]*endpointResponse, 0, len(es)),
		listPage:      newListPage(len(es), total, opts),
		ApplicationID: req.appID,
		Type:          "experienceEndpoints",
		Links: linksFor(req.links, pathEndpoints, map[string]string{"application": pathApplication},
			"{applicationId}", req.appID),
	}
	for _, e := range es {
		resp.Items = append(resp.Items, newEndpointResponse(e, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleEndpointsPost answers POST /applications/{applicationId}/experience/endpoints
// with 201 and the new endpoint: method get, enabled and public unless the
// body says otherwise. A method and route the application answers already
// is 400.
func (s *Server) handleEndpointsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeEndpointBody(req)
	if err != nil {
		return err
	}
	if s.Endpoints == nil {
		return errNoEndpointService
	}
	e := &weir.ExperienceEndpoint{
		ApplicationID: req.appID,
		Method:        "get",
		Access:        weir.EndpointAccessPublic,
		Enabled:       true,
	}
	if err := in.apply(e); err != nil {
		return err
	}
	if err := s.checkEndpointGroups(r, e); err != nil {
		return err
	}
	if err := s.Endpoints.CreateExperienceEndpoint(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newEndpointResponse(e, req.links))
	return nil
}
