package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/weirhq/weir"
)

// versionResponse is an experience version as the API returns it. weir
// keeps one version, develop, whose views and endpoints are the
// application's; its id is weir.DevelopVersionID of the application.
type versionResponse struct {
	ID                  string   `json:"id"`
	ExperienceVersionID string   `json:"experienceVersionId"`
	ApplicationID       string   `json:"applicationId"`
	Version             string   `json:"version"`
	Description         string   `json:"description"`
	EndpointDefaultCors bool     `json:"endpointDefaultCors"`
	AllowedCorsOrigins  []string `json:"allowedCorsOrigins"`
	// Globals and UnauthorizedReply are in Losant's application exports,
	// not in its REST schema: weir's extension (see http/schemas/README.md).
	Globals           []weir.Global           `json:"globals"`
	UnauthorizedReply *weir.UnauthorizedReply `json:"unauthorizedReply,omitempty"`
	AttachedDomains   []any                   `json:"attachedDomains"`
	AttachedSlugs     []any                   `json:"attachedSlugs"`
	CreationDate      any                     `json:"creationDate"`
	LastUpdated       any                     `json:"lastUpdated"`
	Type              string                  `json:"_type"`
	Links             links                   `json:"_links,omitempty"`
}

// versionsResponse is the list of an application's experience versions.
type versionsResponse struct {
	Items []*versionResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
}

// developVersion returns the application's develop version: its stored
// settings, with the application's dates until they were first changed.
func (s *Server) developVersion(r *http.Request, app *weir.Application, withLinks bool) (*versionResponse, error) {
	v, err := s.experienceVersion(r.Context(), app.ID)
	if err != nil {
		return nil, err
	}
	resp := &versionResponse{ID: weir.DevelopVersionID(app.ID), ApplicationID: app.ID, Version: weir.DevelopVersion,
		Description: v.Description, EndpointDefaultCors: v.EndpointDefaultCors, AllowedCorsOrigins: v.AllowedCorsOrigins,
		Globals: v.Globals, UnauthorizedReply: v.UnauthorizedReply,
		AttachedDomains: []any{}, AttachedSlugs: []any{}, CreationDate: app.CreationDate, LastUpdated: app.LastUpdated,
		Type: "experienceVersion",
		Links: linksFor(withLinks, pathExperienceVersion, map[string]string{"application": pathApplication},
			"{applicationId}", app.ID, "{experienceVersionIdOrName}", weir.DevelopVersion)}
	resp.ExperienceVersionID = resp.ID
	if resp.Globals == nil {
		resp.Globals = []weir.Global{}
	}
	if !v.CreationDate.IsZero() {
		resp.CreationDate, resp.LastUpdated = v.CreationDate, v.LastUpdated
	}
	return resp, nil
}

// experienceVersion returns the settings of the application's develop
// version: the defaults when the server keeps none.
func (s *Server) experienceVersion(ctx context.Context, appID string) (*weir.ExperienceVersion, error) {
	if s.ExperienceVersions == nil {
		return &weir.ExperienceVersion{ApplicationID: appID, AllowedCorsOrigins: []string{}}, nil
	}
	return s.ExperienceVersions.FindExperienceVersion(ctx, appID)
}

// errOnlyDevelop answers the version actions weir does not serve.
func errOnlyDevelop() error {
	return weir.Errorf(weir.Validation, "weir keeps the develop experience version only; other versions cannot be created, and develop cannot be deleted")
}

// checkVersionName returns NotFound unless the path names the develop
// version, by name or id.
func checkVersionName(r *http.Request, req *request) error {
	if v := r.PathValue("experienceVersionIdOrName"); v != weir.DevelopVersion && strings.ToLower(v) != weir.DevelopVersionID(req.appID) {
		return weir.Errorf(weir.NotFound, "Experience version was not found")
	}
	return nil
}

// handleExperienceVersionsGet answers GET …/experience/versions: develop.
func (s *Server) handleExperienceVersionsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	resp := &versionsResponse{Items: []*versionResponse{}, ApplicationID: req.appID, Type: "experienceVersions"}
	if opts.Filter == "" || strings.Contains(weir.DevelopVersion, strings.ToLower(strings.ReplaceAll(opts.Filter, "*", ""))) {
		v, err := s.developVersion(r, req.app, req.links)
		if err != nil {
			return err
		}
		resp.Items = append(resp.Items, v)
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
// its id}.
func (s *Server) handleExperienceVersionGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := checkVersionName(r, req); err != nil {
		return err
	}
	v, err := s.developVersion(r, req.app, req.links)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// handleExperienceVersionPatch answers PATCH …/experience/versions/develop:
// its description, endpointDefaultCors and allowedCorsOrigins are kept
// (weir's endpoints do not answer CORS requests yet), and so are globals
// (replaced as a whole) and unauthorizedReply (null removes it), which
// Losant's exports carry; copying another version (sourceVersionIdOrName)
// is refused, there being none.
func (s *Server) handleExperienceVersionPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := checkVersionName(r, req); err != nil {
		return err
	}
	var in struct {
		Description         *string         `json:"description"`
		EndpointDefaultCors *bool           `json:"endpointDefaultCors"`
		AllowedCorsOrigins  *[]string       `json:"allowedCorsOrigins"`
		Globals             *[]weir.Global  `json:"globals"`
		UnauthorizedReply   json.RawMessage `json:"unauthorizedReply"` // null removes it
		SourceVersion       json.RawMessage `json:"sourceVersionIdOrName"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "experienceVersion is the wrong type")
	}
	if len(in.SourceVersion) > 0 {
		return weir.Errorf(weir.Validation, "experienceVersion.sourceVersionIdOrName: weir keeps no other version to copy")
	}
	if s.ExperienceVersions == nil {
		return errNoViewService
	}
	v, err := s.ExperienceVersions.FindExperienceVersion(r.Context(), req.appID)
	if err != nil {
		return err
	}
	if in.Description != nil {
		v.Description = *in.Description
	}
	if in.EndpointDefaultCors != nil {
		v.EndpointDefaultCors = *in.EndpointDefaultCors
	}
	if in.AllowedCorsOrigins != nil {
		v.AllowedCorsOrigins = *in.AllowedCorsOrigins
	}
	if in.Globals != nil {
		v.Globals = *in.Globals
	}
	if err := setReply(&v.UnauthorizedReply, in.UnauthorizedReply, "experienceVersion.unauthorizedReply"); err != nil {
		return err
	}
	if err := s.ExperienceVersions.UpdateExperienceVersion(r.Context(), v); err != nil {
		return err
	}
	resp, err := s.developVersion(r, req.app, req.links)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleExperienceVersionDelete answers DELETE of a version: develop
// cannot be deleted, and there are no others.
func (s *Server) handleExperienceVersionDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := checkVersionName(r, req); err != nil {
		return err
	}
	return errOnlyDevelop()
}
