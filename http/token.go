package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// tokenResponse is an API token as the API returns it (schema apiToken.json).
// SignedToken is set only in the answer to the token's creation.
type tokenResponse struct {
	*weir.Token
	APITokenID  string `json:"apiTokenId"`
	SignedToken string `json:"token,omitempty"`
	Type        string `json:"_type"`
	Links       links  `json:"_links,omitempty"`
}

func newTokenResponse(t *weir.Token, withLinks bool) *tokenResponse {
	c := *t
	c.Scope = nonNil(c.Scope)
	return &tokenResponse{
		Token:      &c,
		APITokenID: t.ID,
		Type:       "apiToken",
		Links: linksFor(withLinks, pathToken, nil,
			"{applicationId}", t.OwnerID, "{apiTokenId}", t.ID),
	}
}

// findToken returns the token the path names, or NotFound unless it belongs
// to the path's application.
func (s *Server) findToken(r *http.Request, req *request) (*weir.Token, error) {
	t, err := s.Tokens.FindTokenByID(r.Context(), req.tokenID)
	if err != nil {
		return nil, err
	}
	if t.OwnerType != weir.OwnerApplication || t.OwnerID != req.appID {
		return nil, weir.Errorf(weir.NotFound, "API token was not found")
	}
	return t, nil
}

// handleTokenGet answers GET /applications/{applicationId}/tokens/{apiTokenId}.
func (s *Server) handleTokenGet(w http.ResponseWriter, r *http.Request, req *request) error {
	t, err := s.findToken(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTokenResponse(t, req.links))
	return nil
}

// handleTokenPatch answers PATCH …/tokens/{apiTokenId}: name, description
// and status change; scope and expiration are immutable.
func (s *Server) handleTokenPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name        *string         `json:"name"`
		Description *string         `json:"description"`
		Status      *string         `json:"status"`
		DefaultRole json.RawMessage `json:"defaultRole"`
		OrgRoles    json.RawMessage `json:"orgRoles"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "apiToken is the wrong type")
	}
	if in.DefaultRole != nil || in.OrgRoles != nil {
		return weir.Errorf(weir.Validation, "apiToken.defaultRole and apiToken.orgRoles apply to user tokens only")
	}
	t, err := s.findToken(r, req)
	if err != nil {
		return err
	}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.Status != nil {
		t.Status = *in.Status
	}
	if err := s.Tokens.UpdateToken(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTokenResponse(t, req.links))
	return nil
}

// handleTokenDelete answers DELETE …/tokens/{apiTokenId}; the token stops
// authenticating at once.
func (s *Server) handleTokenDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	t, err := s.findToken(r, req)
	if err != nil {
		return err
	}
	if err := s.Tokens.DeleteToken(r.Context(), t.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
