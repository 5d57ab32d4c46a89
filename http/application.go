package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// applicationLinks are the resource links of an application that weir
// serves (Losant also lists devices, data, events, keys and webhooks).
var applicationLinks = map[string]string{
	"applications": pathApplications,
	"flows":        pathFlows,
}

// applicationResponse is an application as the API returns it
// (schema application.json).
type applicationResponse struct {
	*weir.Application
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

func newApplicationResponse(a *weir.Application, withLinks bool) *applicationResponse {
	c := *a
	c.Globals = nonNil(c.Globals)
	return &applicationResponse{
		Application:   &c,
		ApplicationID: a.ID,
		Type:          "application",
		Links:         linksFor(withLinks, pathApplication, applicationLinks, "{applicationId}", a.ID),
	}
}

// handleApplicationGet answers GET /applications/{applicationId}.
func (s *Server) handleApplicationGet(w http.ResponseWriter, r *http.Request, req *request) error {
	writeJSON(w, http.StatusOK, newApplicationResponse(req.app, req.links))
	return nil
}

// handleApplicationPatch answers PATCH /applications/{applicationId}: it
// updates name, description, globals, endpointSlug and blobUrlTTL; other
// applicationPatch fields are accepted and ignored (weir has no archives
// or FTUE tracking). A slug another application has is refused and
// changes nothing.
func (s *Server) handleApplicationPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name        *string        `json:"name"`
		Description *string        `json:"description"`
		Globals     *[]weir.Global `json:"globals"`
		Slug        *string        `json:"endpointSlug"`
		BlobURLTTL  *float64       `json:"blobUrlTTL"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "application is the wrong type")
	}
	a := *req.app
	if in.Slug != nil {
		a.EndpointSlug = *in.Slug
	}
	if in.BlobURLTTL != nil {
		a.BlobURLTTL = *in.BlobURLTTL
	}
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.Globals != nil {
		a.Globals = *in.Globals
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.Applications.UpdateApplication(r.Context(), &a); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newApplicationResponse(&a, req.links))
	return nil
}

// handleApplicationDelete answers DELETE /applications/{applicationId}; the
// store removes the application's flows, storage, logs, runs and tokens.
func (s *Server) handleApplicationDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	err := s.Applications.DeleteApplication(r.Context(), req.appID)
	if c, ok := s.Tokens.(*TokenCache); ok {
		c.Changed() // the application's tokens are gone (or may be, on error)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
