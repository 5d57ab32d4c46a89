package http

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"

	"github.com/weirhq/weir"
)

// errNoEndpointService is the internal error of experience endpoint routes
// served without an ExperienceEndpointService.
var errNoEndpointService = errors.New("http: Server.Endpoints is not set")

// endpointLinks are the resource links of an experience endpoint.
var endpointLinks = map[string]string{
	"application":         pathApplication,
	"experienceEndpoints": pathEndpoints,
}

// endpointResponse is an experience endpoint as the API returns it. weir
// has one experience version, develop.
type endpointResponse struct {
	*weir.ExperienceEndpoint
	ExperienceEndpointID string            `json:"experienceEndpointId"`
	Version              string            `json:"version"`
	GroupIDs             []string          `json:"experienceGroupIds"` // [] rather than null
	EndpointTags         map[string]string `json:"endpointTags"`       // {} rather than null
	Type                 string            `json:"_type"`
	Links                links             `json:"_links,omitempty"`
}

func newEndpointResponse(e *weir.ExperienceEndpoint, withLinks bool) *endpointResponse {
	resp := &endpointResponse{
		ExperienceEndpoint:   e,
		ExperienceEndpointID: e.ID,
		Version:              weir.DevelopVersion,
		GroupIDs:             append([]string{}, e.GroupIDs...),
		EndpointTags:         maps.Clone(e.Tags),
		Type:                 "experienceEndpoint",
		Links: linksFor(withLinks, pathEndpoint, endpointLinks,
			"{applicationId}", e.ApplicationID, "{experienceEndpointId}", e.ID),
	}
	if resp.EndpointTags == nil {
		resp.EndpointTags = map[string]string{}
	}
	return resp
}

// endpointBody is a schema-valid endpoint post or patch body; absent
// fields are nil.
type endpointBody struct {
	Route             *string            `json:"route"`
	Method            *string            `json:"method"`
	Description       *string            `json:"description"`
	Enabled           *bool              `json:"enabled"`
	Access            *string            `json:"access"`
	GroupIDs          *[]string          `json:"experienceGroupIds"`
	Tags              *map[string]string `json:"endpointTags"`
	UnauthorizedReply json.RawMessage    `json:"unauthorizedReply"` // null removes it
	StaticReply       json.RawMessage    `json:"staticReply"`       // null removes it
}

// decodeEndpointBody decodes a request's endpoint body.
func decodeEndpointBody(req *request) (*endpointBody, error) {
	var in endpointBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "experienceEndpoint is the wrong type")
	}
	return &in, nil
}

// apply sets each field present in b on e and validates the result.
func (b *endpointBody) apply(e *weir.ExperienceEndpoint) error {
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&e.Route, b.Route}, {&e.Method, b.Method}, {&e.Description, b.Description}, {&e.Access, b.Access}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if b.Enabled != nil {
		e.Enabled = *b.Enabled
	}
	if b.GroupIDs != nil {
		e.GroupIDs = *b.GroupIDs
	}
	if b.Tags != nil {
		e.Tags = *b.Tags
	}
	if err := setReply(&e.UnauthorizedReply, b.UnauthorizedReply, "unauthorizedReply"); err != nil {
		return err
	}
	if err := setReply(&e.StaticReply, b.StaticReply, "staticReply"); err != nil {
		return err
	}
	return e.Validate()
}

// setReply sets *dst from a body field given as raw: null removes it, an
// absent field (empty raw) leaves it.
func setReply[T any](dst **T, raw json.RawMessage, field string) error {
	if len(raw) == 0 {
		return nil
	}
	*dst = nil
	if string(raw) == "null" {
		return nil
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return weir.Errorf(weir.Validation, "%s is the wrong type", field)
	}
	*dst = v
	return nil
}

// findEndpoint returns the endpoint the path names, or NotFound.
func (s *Server) findEndpoint(r *http.Request, req *request) (*weir.ExperienceEndpoint, error) {
	if s.Endpoints == nil {
		return nil, errNoEndpointService
	}
	return s.Endpoints.FindExperienceEndpointByID(r.Context(), req.appID, req.endpointID)
}

// handleEndpointGet answers GET …/experience/endpoints/{experienceEndpointId}.
func (s *Server) handleEndpointGet(w http.ResponseWriter, r *http.Request, req *request) error {
	e, err := s.findEndpoint(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newEndpointResponse(e, req.links))
	return nil
}

// handleEndpointPatch answers PATCH …/experience/endpoints/{experienceEndpointId}:
// the fields given replace the stored ones.
func (s *Server) handleEndpointPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeEndpointBody(req)
	if err != nil {
		return err
	}
	e, err := s.findEndpoint(r, req)
	if err != nil {
		return err
	}
	if err := in.apply(e); err != nil {
		return err
	}
	if err := s.checkEndpointGroups(r, e); err != nil {
		return err
	}
	if err := s.Endpoints.UpdateExperienceEndpoint(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newEndpointResponse(e, req.links))
	return nil
}

// handleEndpointDelete answers DELETE …/experience/endpoints/{experienceEndpointId}
// with {"success":true}. Flows keep their endpoint triggers, which never
// fire again.
func (s *Server) handleEndpointDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Endpoints == nil {
		return errNoEndpointService
	}
	if err := s.Endpoints.DeleteExperienceEndpoint(r.Context(), req.appID, req.endpointID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
