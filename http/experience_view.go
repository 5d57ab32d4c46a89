package http

import (
	"net/http"
)

// handleViewGet answers GET …/experience/views/{experienceViewId}.
func (s *Server) handleViewGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Views == nil {
		return errNoViewService
	}
	if err := checkDevelop(req); err != nil {
		return err
	}
	v, err := s.Views.FindExperienceViewByID(r.Context(), req.appID, req.viewID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newViewResponse(v, req.links))
	return nil
}

// handleViewPatch answers PATCH …/experience/views/{experienceViewId}: every
// field but the view's type may change.
func (s *Server) handleViewPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeViewBody(req)
	if err != nil {
		return err
	}
	if s.Views == nil {
		return errNoViewService
	}
	v, err := s.Views.FindExperienceViewByID(r.Context(), req.appID, req.viewID)
	if err != nil {
		return err
	}
	if err := in.apply(v); err != nil {
		return err
	}
	if err := s.Views.UpdateExperienceView(r.Context(), v); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newViewResponse(v, req.links))
	return nil
}

// handleViewDelete answers DELETE …/experience/views/{experienceViewId};
// pages that used a deleted layout render without one.
func (s *Server) handleViewDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Views == nil {
		return errNoViewService
	}
	if err := s.Views.DeleteExperienceView(r.Context(), req.appID, req.viewID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
