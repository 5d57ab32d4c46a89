package http

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weirhq/weir"
)

// errNoVersionService is the internal error of version routes served without
// a FlowVersionService.
var errNoVersionService = errors.New("http: Server.Versions is not set")

// flowVersionResponse is a version as the API returns it (schema
// flowVersion.json).
type flowVersionResponse struct {
	*weir.FlowVersion
	FlowVersionID string `json:"flowVersionId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

func newFlowVersionResponse(v *weir.FlowVersion, withLinks bool) *flowVersionResponse {
	c := *v
	c.Definition = responseDefinition(v.Definition)
	return &flowVersionResponse{
		FlowVersion:   &c,
		FlowVersionID: v.ID,
		Type:          "flowVersion",
		Links: linksFor(withLinks, pathVersion, nil,
			"{applicationId}", v.ApplicationID, "{flowId}", v.FlowID, "{flowVersionId}", v.ID),
	}
}

// findVersion returns the flow's version whose id or name is idOrName, or
// NotFound; without a version service no version exists.
func (s *Server) findVersion(r *http.Request, req *request, idOrName string) (*weir.FlowVersion, error) {
	if s.Versions == nil {
		return nil, weir.Errorf(weir.NotFound, "Flow version was not found")
	}
	return s.Versions.FindFlowVersion(r.Context(), req.appID, req.flowID, idOrName)
}

// findPathVersion returns the version the path names, after checking that
// the flow exists.
func (s *Server) findPathVersion(r *http.Request, req *request) (*weir.FlowVersion, error) {
	if _, err := s.findFlow(r, req); err != nil {
		return nil, err
	}
	return s.findVersion(r, req, req.versionID)
}

// handleFlowVersionGet answers GET …/versions/{flowVersionId}, an id or name.
func (s *Server) handleFlowVersionGet(w http.ResponseWriter, r *http.Request, req *request) error {
	v, err := s.findPathVersion(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFlowVersionResponse(v, req.links))
	return nil
}

// handleFlowVersionPatch answers PATCH …/versions/{flowVersionId}: only notes
// and enabled change; the definition is immutable.
func (s *Server) handleFlowVersionPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Notes   *string `json:"notes"`
		Enabled *bool   `json:"enabled"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "flowVersion is the wrong type")
	}
	v, err := s.findPathVersion(r, req)
	if err != nil {
		return err
	}
	upd := weir.FlowVersionUpdate{Notes: in.Notes, Enabled: in.Enabled}
	upd.LastUpdatedByType, upd.LastUpdatedByID = creator(req.identity)
	if v, err = s.Versions.UpdateFlowVersion(r.Context(), req.appID, req.flowID, v.ID, upd); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFlowVersionResponse(v, req.links))
	return nil
}

// handleFlowVersionDelete answers DELETE …/versions/{flowVersionId}. Develop
// and the flow's default version cannot be deleted (400).
func (s *Server) handleFlowVersionDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if req.versionID == weir.DevelopVersion {
		return weir.Errorf(weir.Validation, "The develop version cannot be deleted")
	}
	if s.Versions == nil {
		return weir.Errorf(weir.NotFound, "Flow version was not found")
	}
	if err := s.Versions.DeleteFlowVersion(r.Context(), req.appID, req.flowID, req.versionID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleFlowVersionLogs answers GET …/versions/{flowVersionId}/logs: the
// flow's log entries of that version (develop included).
func (s *Server) handleFlowVersionLogs(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.versionID == weir.DevelopVersion {
		if _, err := s.findFlow(r, req); err != nil {
			return err
		}
		return s.writeLogs(w, r, req, weir.DevelopVersion)
	}
	v, err := s.findPathVersion(r, req)
	if err != nil {
		return err
	}
	return s.writeLogs(w, r, req, v.ID)
}

// handleFlowVersionStats answers GET …/versions/{flowVersionId}/stats: the
// flow's stats restricted to that version.
func (s *Server) handleFlowVersionStats(w http.ResponseWriter, r *http.Request, req *request) error {
	req.query["flowVersion"] = req.versionID
	return s.handleFlowStats(w, r, req)
}

// handleFlowVersionErrors answers GET …/versions/{flowVersionId}/errors: the
// flow's errors restricted to that version.
func (s *Server) handleFlowVersionErrors(w http.ResponseWriter, r *http.Request, req *request) error {
	req.query["flowVersion"] = req.versionID
	return s.handleFlowErrors(w, r, req)
}
