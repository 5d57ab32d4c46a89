package http

import (
	"net/http"
	"strings"

	"github.com/weirhq/weir"
)

// versionResponse is an experience version as the API returns it. weir
// keeps one version, develop, whose views and endpoints are the
// application's; it has the application's id and dates.
type versionResponse struct {
	ID                  string   `json:"id"`
	ExperienceVersionID string   `json:"experienceVersionId"`
	ApplicationID       string   `json:"applicationId"`
	Version             string   `json:"version"`
	Description         string   `json:"description"`
	EndpointDefaultCors bool     `json:"endpointDefaultCors"`
	AllowedCorsOrigins  []string `json:"allowedCorsOrigins"`
	AttachedDomains     []any    `json:"attachedDomains"`
	AttachedSlugs       []any    `json:"attachedSlugs"`
	CreationDate        any      `json:"creationDate"`
	LastUpdated         any      `json:"lastUpdated"`
	Type                string   `json:"_type"`
	Links               links    `json:"_links,omitempty"`
}

// versionsResponse is the list of an application's experience versions.
type versionsResponse struct {
	Items []*versionResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
}

func developVersion(app *weir.Application, withLinks bool) *versionResponse {
	return &versionResponse{ID: app.ID, ExperienceVersionID: app.ID, ApplicationID: app.ID, Version: weir.DevelopVersion,
		Description: "The editable version of the experience", AllowedCorsOrigins: []string{},
		AttachedDomains: []any{}, AttachedSlugs: []any{}, CreationDate: app.CreationDate, LastUpdated: app.LastUpdated,
		Type: "experienceVersion",
		Links: linksFor(withLinks, pathExperienceVersion, map[string]string{"application": pathApplication},
			"{applicationId}", app.ID, "{experienceVersionIdOrName}", weir.DevelopVersion)}
}

// errOnlyDevelop answers the version actions weir does not serve.
func errOnlyDevelop() error {
	return weir.Errorf(weir.Validation, "weir keeps the develop experience version only; other versions cannot be created, changed or deleted")
}

// handleExperienceVersionsGet answers GET …/experience/versions: develop.
func (s *Server) handleExperienceVersionsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	resp := &versionsResponse{Items: []*versionResponse{}, ApplicationID: req.appID, Type: "experienceVersions"}
	if opts.Filter == "" || strings.Contains(weir.DevelopVersion, strings.ToLower(strings.ReplaceAll(opts.Filter, "*", ""))) {
		resp.Items = append(resp.Items, developVersion(req.app, req.links))
	}
	resp.listPage = newListPage(len(resp.Items), len(resp.Items), opts)
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleExperienceVersionsPost answers POST …/experience/versions with a
// Validation error: weir does not snapshot experiences.
func (s *Server) handleExperienceVersionsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	return errOnlyDevelop()
}

// handleExperienceVersionGet answers GET …/experience/versions/{develop or
// the application id}.
func (s *Server) handleExperienceVersionGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if v := r.PathValue("experienceVersionIdOrName"); v != weir.DevelopVersion && v != req.appID {
		return weir.Errorf(weir.NotFound, "Experience version was not found")
	}
	writeJSON(w, http.StatusOK, developVersion(req.app, req.links))
	return nil
}

// handleExperienceVersionChange answers PATCH and DELETE of a version: the
// develop version cannot be changed or deleted, and there are no others.
func (s *Server) handleExperienceVersionChange(w http.ResponseWriter, r *http.Request, req *request) error {
	if v := r.PathValue("experienceVersionIdOrName"); v != weir.DevelopVersion && v != req.appID {
		return weir.Errorf(weir.NotFound, "Experience version was not found")
	}
	return errOnlyDevelop()
}
