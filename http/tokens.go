package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/weirhq/weir"
)

// defaultTokenScope is the scope of a token created without one.
var defaultTokenScope = []string{"all.Application"}

// applicationTokenScopes are the scopes an application token may carry: the
// first enum of apiTokenPost.json's scope items (the other enums hold the
// scopes of organization, instance and user tokens).
var applicationTokenScopes = mustApplicationTokenScopes()

func mustApplicationTokenScopes() map[string]bool {
	b, err := schemaFS.ReadFile("schemas/apiTokenPost.json")
	if err != nil {
		panic(err)
	}
	var doc struct {
		Properties struct {
			Scope struct {
				Items struct {
					OneOf []struct {
						OneOf []struct {
							Enum []string `json:"enum"`
						} `json:"oneOf"`
					} `json:"oneOf"`
				} `json:"items"`
			} `json:"scope"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Properties.Scope.Items.OneOf) == 0 || len(doc.Properties.Scope.Items.OneOf[0].OneOf) == 0 {
		panic(fmt.Sprintf("http: apiTokenPost.json scope enum: %v", err))
	}
	out := map[string]bool{}
	for _, s := range doc.Properties.Scope.Items.OneOf[0].OneOf[0].Enum {
		out[s] = true
	}
	if !out["all.Application"] || out["all.User"] || out["all.Organization"] {
		panic("http: apiTokenPost.json: unexpected application scope enum")
	}
	return out
}

// tokensResponse is a page of an application's tokens (schema apiTokens.json).
type tokensResponse struct {
	Items []*tokenResponse `json:"items"`
	listPage
	OwnerID   string `json:"ownerId"`
	OwnerType string `json:"ownerType"`
	Type      string `json:"_type"`
	Links     links  `json:"_links,omitempty"`
}

// handleTokensGet answers GET /applications/{applicationId}/tokens. Token
// strings are never listed.
func (s *Server) handleTokensGet(w http.ResponseWriter, r *http.Request, req *request) error {
	opts := listOptions(req.query)
	toks, total, err := s.Tokens.FindTokens(r.Context(), weir.TokenFilter{
		OwnerID:     req.appID,
		OwnerType:   weir.OwnerApplication,
		ListOptions: opts,
	})
	if err != nil {
		return err
	}
	resp := &tokensResponse{
		Items:     make([]*tokenResponse, 0, len(toks)),
		listPage:  newListPage(len(toks), total, opts),
		OwnerID:   req.appID,
		OwnerType: weir.OwnerApplication,
		Type:      "apiTokens",
		Links:     linksFor(req.links, pathTokens, nil, "{applicationId}", req.appID),
	}
	for _, t := range toks {
		resp.Items = append(resp.Items, newTokenResponse(t, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleTokensPost answers POST /applications/{applicationId}/tokens: a new
// application token. The answer carries the signed token, the only time it
// is ever shown.
func (s *Server) handleTokensPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Name           string          `json:"name"`
		Description    string          `json:"description"`
		ExpirationDate *time.Time      `json:"expirationDate"`
		Scope          []string        `json:"scope"`
		Status         string          `json:"status"`
		DefaultRole    json.RawMessage `json:"defaultRole"`
		OrgRoles       json.RawMessage `json:"orgRoles"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "apiToken.expirationDate must be date-time format")
	}
	if in.DefaultRole != nil || in.OrgRoles != nil {
		return weir.Errorf(weir.Validation, "apiToken.defaultRole and apiToken.orgRoles apply to user tokens only")
	}
	for i, sc := range in.Scope {
		if !applicationTokenScopes[sc] {
			return weir.Errorf(weir.Validation, "apiToken.scope.%d must be an enum value", i)
		}
	}
	t := &weir.Token{
		ID:             weir.NewID(),
		OwnerID:        req.appID,
		OwnerType:      weir.OwnerApplication,
		Name:           in.Name,
		Description:    in.Description,
		Scope:          in.Scope,
		Status:         in.Status,
		ExpirationDate: in.ExpirationDate,
	}
	if t.Scope == nil {
		t.Scope = append([]string(nil), defaultTokenScope...)
	}
	if t.Status == "" {
		t.Status = weir.TokenActive
	}
	t.CreatorType, t.CreatorID = creator(req.identity)
	signed, err := s.Signer.Sign(t)
	if err != nil {
		return err
	}
	if err := s.Tokens.CreateToken(r.Context(), t); err != nil {
		return err
	}
	resp := newTokenResponse(t, req.links)
	resp.SignedToken = signed
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// creator returns how records name the caller: ("user", user id) or
// ("apiToken", token id).
func creator(id *weir.Identity) (typ, cid string) {
	if id.OwnerType == weir.OwnerUser {
		return "user", id.OwnerID
	}
	return "apiToken", id.TokenID
}
