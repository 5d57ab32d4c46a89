package http

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// Error messages of authentication and authorization, in Losant's wording.
const (
	msgInvalidToken = "Invalid access token"
	msgExpiredToken = "Access token has expired"
	msgForbidden    = "Access is forbidden"
)

// authenticate returns the identity of the request's token, nil when no
// token was supplied, or Unauthorized. The token record is always checked: a
// deleted, inactive or expired record, or one that no longer matches the
// token's claims, fails. With a TokenCache as Tokens the record may come from
// memory, within the bound TokenCache states.
func (s *Server) authenticate(r *http.Request) (*weir.Identity, error) {
	if c := internalCaller(r.Context()); c != nil {
		return c.identity, nil // an in-process call (Caller): no token
	}
	raw, ok := tokenFromRequest(r)
	if !ok {
		return nil, nil
	}
	if s.Signer == nil || s.Tokens == nil {
		return nil, weir.Errorf(weir.Unauthorized, msgInvalidToken)
	}
	claims, err := s.Signer.Verify(raw)
	if err != nil {
		return nil, err
	}
	if claims.OwnerType == weir.OwnerDevice {
		return s.authenticateDevice(r.Context(), claims)
	}
	rec, err := s.tokenRecord(r.Context(), claims.TokenID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, weir.Errorf(weir.Unauthorized, msgInvalidToken)
	} else if err != nil {
		return nil, err
	}
	if !rec.Usable(s.now()) {
		if rec.Status == weir.TokenActive {
			return nil, weir.Errorf(weir.Unauthorized, msgExpiredToken)
		}
		return nil, weir.Errorf(weir.Unauthorized, msgInvalidToken)
	}
	if rec.OwnerID != claims.OwnerID || rec.OwnerType != claims.OwnerType || !sameSet(rec.Scope, claims.Scope) {
		return nil, weir.Errorf(weir.Unauthorized, msgInvalidToken)
	}
	return &weir.Identity{
		TokenID:   rec.ID,
		OwnerType: rec.OwnerType,
		OwnerID:   rec.OwnerID,
		Scope:     slices.Clone(rec.Scope),
	}, nil
}

// tokenRecord returns the record of the token id, from memory when Tokens
// is a TokenCache. The caller may not modify it.
func (s *Server) tokenRecord(ctx context.Context, id string) (*weir.Token, error) {
	if c, ok := s.Tokens.(*TokenCache); ok {
		return c.cachedToken(ctx, id)
	}
	return s.Tokens.FindTokenByID(ctx, id)
}

// authorize allows the request when the caller's scopes intersect the
// action's accepted scopes. No token at all is Forbidden too. Actions outside
// an application (the applications collection) are for user tokens only.
//
// Losant expands each token scope through auth groups before intersecting;
// scopes.json already lists the group names each action accepts, so the
// expansion is the identity here.
func authorize(id *weir.Identity, accepted map[string]bool, appScoped bool) error {
	if id == nil {
		return weir.Errorf(weir.Forbidden, msgForbidden)
	}
	switch {
	case id.OwnerType == weir.OwnerUser:
	case id.OwnerType == weir.OwnerApplication && appScoped:
	case id.OwnerType == weir.OwnerDevice && appScoped:
	default:
		return weir.Errorf(weir.Forbidden, msgForbidden)
	}
	for _, sc := range id.Scope {
		if accepted[sc] {
			return nil
		}
	}
	return weir.Errorf(weir.Forbidden, msgForbidden)
}

// freshApplication are the actions that answer with or update the
// application record itself, so read it from the store; the others only
// check that it exists, which the Cache may answer.
var freshApplication = map[string]bool{"application.get": true, "application.patch": true}

// findVisibleApplication loads the application the path names, or NotFound
// when it does not exist or the caller cannot see it: an application token
// reaches only its own application; a user token reaches every one. Unless
// fresh, the record may come from s.Cache (within its bounds) and the caller
// may not modify it.
func (s *Server) findVisibleApplication(r *http.Request, id *weir.Identity, appID string, fresh bool) (*weir.Application, error) {
	if id.OwnerType == weir.OwnerApplication && !strings.EqualFold(id.OwnerID, appID) ||
		id.OwnerType == weir.OwnerDevice && id.ApplicationID != appID {
		return nil, weir.Errorf(weir.NotFound, "Application was not found")
	}
	if s.Cache != nil && !fresh {
		return s.Cache.Application(r.Context(), appID)
	}
	return s.Applications.FindApplicationByID(r.Context(), appID)
}

// tokenFromRequest returns the access token of r and whether one was
// supplied: the access_token or jwt query parameter, else an Authorization
// header "Bearer <token>" or "JWT <token>" (scheme case-insensitive).
func tokenFromRequest(r *http.Request) (string, bool) {
	q := r.URL.Query()
	for _, name := range []string{"access_token", "jwt"} {
		if v := q.Get(name); v != "" {
			return v, true
		}
	}
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", false
	}
	switch strings.ToLower(scheme) {
	case "bearer", "jwt":
		return tok, true
	}
	return "", false
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
