package http

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// msgEndpointUnauthorized is the message of a request an endpoint's access
// refuses, when the endpoint has no unauthorized reply.
const msgEndpointUnauthorized = "Unauthorized"

// endpointCaller is the experience user a request to an endpoint signed in
// as, as its run sees it; the zero value is a public request.
type endpointCaller struct {
	user     map[string]any           // weir.ExperienceUserDocument, or nil
	authInfo *weir.ExperienceAuthInfo // nil with user
}

// experienceToken returns the experience user token of r: the
// Authorization header's Bearer token, else the authorization cookie (the
// token, or "Bearer <token>"), as Losant reads them.
func experienceToken(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "bearer") {
		return strings.TrimSpace(tok)
	}
	if c, err := r.Cookie("authorization"); err == nil {
		v := strings.TrimSpace(c.Value)
		if scheme, tok, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "bearer") {
			return strings.TrimSpace(tok)
		}
		return v
	}
	return ""
}

// endpointAccess signs the request in as the experience user its token
// names, if any, and decides whether ep's access lets it through: a public
// endpoint takes anyone (a token that does not verify just leaves the run
// without a user); an authenticated endpoint a user of the endpoint's
// application; a group endpoint a user who belongs to one of its groups
// (directly or through a group above). It returns Unauthorized when the
// access refuses the request.
func (s *Server) endpointAccess(r *http.Request, ep *weir.ExperienceEndpoint) (endpointCaller, error) {
	var caller endpointCaller
	refused := weir.Errorf(weir.Unauthorized, msgEndpointUnauthorized)
	tok := experienceToken(r)
	ea := s.experienceAuth()
	if tok == "" || ea == nil || s.ExperienceGroups == nil {
		if ep.Access == weir.EndpointAccessPublic {
			return caller, nil
		}
		return caller, refused
	}
	u, info, err := ea.VerifyToken(r.Context(), ep.ApplicationID, tok)
	switch {
	case weir.ErrorTypeOf(err) == weir.Unauthorized && ep.Access == weir.EndpointAccessPublic:
		return caller, nil
	case weir.ErrorTypeOf(err) == weir.Unauthorized:
		return caller, refused
	case err != nil:
		return caller, err
	}
	tree, err := s.groupTree(r.Context(), ep.ApplicationID)
	if err != nil {
		return caller, err
	}
	if ep.Access == weir.EndpointAccessGroup && !slices.ContainsFunc(ep.GroupIDs, func(g string) bool {
		return tree.InGroup(u.GroupIDs, g)
	}) {
		return caller, refused
	}
	return endpointCaller{user: weir.ExperienceUserDocument(u, tree), authInfo: info}, nil
}

// writeUnauthorized answers a request ep's access refused: ep's
// unauthorized reply (a redirect whose target is a template of the
// request's path and query), else its experience version's, else Losant's
// 401.
func (s *Server) writeUnauthorized(w http.ResponseWriter, r *http.Request, ep *weir.ExperienceEndpoint, err error) {
	if weir.ErrorTypeOf(err) != weir.Unauthorized {
		s.writeError(w, r, err)
		return
	}
	reply := ep.UnauthorizedReply
	if reply == nil {
		v, verr := s.experienceVersion(r.Context(), ep.ApplicationID)
		if verr != nil {
			s.writeError(w, r, verr)
			return
		}
		reply = v.UnauthorizedReply
	}
	if reply == nil {
		s.writeError(w, r, err)
		return
	}
	target := reply.Value
	if t, terr := engine.CompileTemplate("unauthorizedReply", reply.Value); terr == nil {
		query := map[string]any{}
		for k, v := range r.URL.Query() {
			query[k] = v[len(v)-1]
		}
		path := endpointPath(r)
		if v, rerr := t.Render(map[string]any{"request": map[string]any{"path": path, "query": query}}); rerr == nil {
			target = v
		}
	}
	status := reply.StatusCode
	if status == 0 {
		status = http.StatusFound
	}
	w.Header().Set("Location", target)
	w.WriteHeader(status)
}

// appendForwardedFor appends the request's remote address to the run's
// x-forwarded-for header, as a proxy in front of Losant does: its last
// entry is the address the Authenticate node counts failed sign-ins by,
// the one entry a client cannot forge.
func appendForwardedFor(rd *requestData, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return
	}
	if xff := rd.Headers["x-forwarded-for"]; xff != "" {
		host = xff + ", " + host
	}
	rd.Headers["x-forwarded-for"] = host
}

// checkEndpointGroups returns Validation unless every group e names is a
// group of its application.
func (s *Server) checkEndpointGroups(r *http.Request, e *weir.ExperienceEndpoint) error {
	if len(e.GroupIDs) == 0 {
		return nil
	}
	if s.ExperienceGroups == nil {
		return weir.Errorf(weir.Validation, "experienceGroupIds: experience groups are not served")
	}
	t, err := s.groupTree(r.Context(), e.ApplicationID)
	if err != nil {
		return err
	}
	for _, id := range e.GroupIDs {
		if t[id] == nil {
			return weir.Errorf(weir.Validation, "experienceGroupIds: experience group %s was not found", id)
		}
	}
	return nil
}

// deviceQueryExperience lets a device query (nil: none) with
// experienceUserId or experienceGroupId conditions decide them against the
// application's experience users and groups.
func (s *Server) deviceQueryExperience(r *http.Request, appID string, q *weir.DeviceQuery) error {
	if q == nil || !q.NamesExperience() {
		return nil
	}
	if err := s.experienceServices(); err != nil {
		return weir.Errorf(weir.Validation, "query: experience users are not served")
	}
	t, err := s.groupTree(r.Context(), appID)
	if err != nil {
		return err
	}
	q.WithExperience(weir.ExperienceDevices(r.Context(), s.ExperienceUsers, t, appID))
	return nil
}
