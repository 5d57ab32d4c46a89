package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// applicationsResponse is a page of applications (schema applications.json).
type applicationsResponse struct {
	Items []*applicationResponse `json:"items"`
	listPage
	Type  string `json:"_type"`
	Links links  `json:"_links,omitempty"`
}

// handleApplicationsGet answers GET /applications. A user token sees every
// application; orgId="" (present, blank) keeps the caller's own, and an
// organization id matches nothing, as weir has no organizations.
func (s *Server) handleApplicationsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	resp := &applicationsResponse{
		Items:    []*applicationResponse{},
		listPage: newListPage(0, 0, opts),
		Type:     "applications",
		Links:    linksFor(req.links, pathApplications, nil),
	}
	if req.query["orgId"] == "" {
		owner := ""
		if r.URL.Query().Has("orgId") {
			owner = req.identity.OwnerID
		}
		apps, total, err := s.Applications.FindApplications(r.Context(), owner, opts)
		if err != nil {
			return err
		}
		for _, a := range apps {
			resp.Items = append(resp.Items, newApplicationResponse(a, req.links))
		}
		resp.TotalCount = total
	}
	resp.Count = len(resp.Items)
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleApplicationsPost answers POST /applications: a new application owned
// by the calling user. An endpointSlug another application has is refused.
func (s *Server) handleApplicationsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name                  string        `json:"name"`
		Description           string        `json:"description"`
		Globals               []weir.Global `json:"globals"`
		EndpointSlug          string        `json:"endpointSlug"`
		BlobURLTTL            float64       `json:"blobUrlTTL"`
		OrgID                 string        `json:"orgId"`
		ApplicationTemplateID string        `json:"applicationTemplateId"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "application is the wrong type")
	}
	if in.OrgID != "" {
		return weir.Errorf(weir.Validation, "application.orgId is not supported: weir has no organizations")
	}
	if in.ApplicationTemplateID != "" {
		return weir.Errorf(weir.Validation, "application.applicationTemplateId is not supported")
	}
	a := &weir.Application{
		ID:           weir.NewID(),
		Name:         in.Name,
		Description:  in.Description,
		OwnerID:      req.identity.OwnerID,
		OwnerType:    weir.OwnerUser,
		Globals:      in.Globals,
		EndpointSlug: in.EndpointSlug,
		BlobURLTTL:   in.BlobURLTTL,
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.Applications.CreateApplication(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newApplicationResponse(a, req.links))
	return nil
}
