package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// errNoExperienceService is the internal error of experience user and
// group routes served without their services.
var errNoExperienceService = errors.New("http: Server.ExperienceUsers or ExperienceGroups is not set")

// experienceUserListParams are the query parameters of experienceUsers.get.
var experienceUserListParams = append(
	listParams([]string{"email", "firstName", "lastName", "id", "creationDate", "lastLogin", "lastUpdated"},
		[]string{"firstName", "lastName", "email"}),
	queryParam{name: "experienceGroupId", kind: paramString},
	queryParam{name: "includeAncestorGroups", kind: paramBool, def: "false"},
	queryParam{name: "query", kind: paramString},
)

// experienceServices returns the internal error when the user and group
// services are not set.
func (s *Server) experienceServices() error {
	if s.ExperienceUsers == nil || s.ExperienceGroups == nil {
		return errNoExperienceService
	}
	return nil
}

// experienceAuth returns ExperienceAuth, or, when it is not set, a sign-in
// over ExperienceUsers with tokens under the Signer's key and failures
// counted in this process.
func (s *Server) experienceAuth() weir.ExperienceAuth {
	if s.ExperienceAuth != nil {
		return s.ExperienceAuth
	}
	s.defaultAuth.once.Do(func() {
		if s.ExperienceUsers != nil && s.Signer != nil {
			s.defaultAuth.auth = &auth.Experience{Users: s.ExperienceUsers, Key: s.Signer.Key}
		}
	})
	if s.defaultAuth.auth == nil {
		return nil
	}
	return s.defaultAuth.auth
}

// groupTree reads the application's groups.
func (s *Server) groupTree(ctx context.Context, appID string) (weir.GroupTree, error) {
	gs, _, err := s.ExperienceGroups.FindExperienceGroups(ctx, weir.ExperienceGroupFilter{ApplicationID: appID, NoMembers: true})
	if err != nil {
		return nil, err
	}
	return weir.NewGroupTree(gs), nil
}

// experienceUserResponse is a user as the API returns it.
func experienceUserResponse(u *weir.ExperienceUser, t weir.GroupTree, req *request) map[string]any {
	doc := weir.ExperienceUserDocument(u, t)
	if req.links {
		doc["_links"] = linksFor(true, pathExperienceUser, map[string]string{"application": pathApplication,
			"experienceUsers": pathExperienceUsers}, "{applicationId}", u.ApplicationID, "{experienceUserId}", u.ID)
	}
	doc["_type"] = "experienceUser"
	return doc
}

// handleExperienceUsersGet answers GET …/experience/users: one page of the
// application's users, filtered by email, names and group ("any", "none"
// or an id), or by the advanced query, which replaces the other filters.
func (s *Server) handleExperienceUsersGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.experienceServices(); err != nil {
		return err
	}
	query, err := parseQueryJSON(req.query["query"], weir.ParseExperienceUserQuery)
	if err != nil {
		return err
	}
	opts := listOptions(req.query)
	if opts.Filter != "" && r.URL.Query().Get("filterField") == "" {
		opts.FilterField = "email"
	}
	group := req.query["experienceGroupId"]
	if group != "" && group != "any" && group != "none" && !weir.ValidID(group) {
		return weir.Errorf(weir.Validation, "experienceGroupId must be an id, any or none")
	}
	filter := weir.ExperienceUserFilter{ApplicationID: req.appID, GroupID: group, ListOptions: opts}
	if query != nil { // the query replaces the other filters, as on Losant
		filter = weir.ExperienceUserFilter{ApplicationID: req.appID, Query: query, ListOptions: opts}
		filter.Filter, filter.FilterField = "", ""
	}
	us, total, err := s.ExperienceUsers.FindExperienceUsers(r.Context(), filter)
	if err != nil {
		return err
	}
	return writeExperiencePage(s, w, r, req, us, total, opts, "experienceUsers", pathExperienceUsers,
		func(u *weir.ExperienceUser, t weir.GroupTree) any { return experienceUserResponse(u, t, req) })
}

// writeExperiencePage answers one page of users or groups, each shaped by
// doc with the application's group tree.
func writeExperiencePage[T any](s *Server, w http.ResponseWriter, r *http.Request, req *request, page []T, total int,
	opts weir.ListOptions, typ, self string, doc func(T, weir.GroupTree) any) error {
	t, err := s.groupTree(r.Context(), req.appID)
	if err != nil {
		return err
	}
	items := make([]any, 0, len(page))
	for _, v := range page {
		items = append(items, doc(v, t))
	}
	writeJSON(w, http.StatusOK, struct {
		Items []any `json:"items"`
		listPage
		ApplicationID string `json:"applicationId"`
		Type          string `json:"_type"`
		Links         links  `json:"_links,omitempty"`
	}{items, newListPage(len(page), total, opts), req.appID, typ,
		linksFor(req.links, self, map[string]string{"application": pathApplication}, "{applicationId}", req.appID)})
	return nil
}

// handleExperienceUsersPost answers POST …/experience/users with 201 and
// the new user.
func (s *Server) handleExperienceUsersPost(w http.ResponseWriter, r *http.Request, req *request) error {
	var in weir.ExperienceUserChange
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "experienceUser is the wrong type")
	}
	if err := s.experienceServices(); err != nil {
		return err
	}
	u := &weir.ExperienceUser{ApplicationID: req.appID}
	if err := in.Apply(u, s.experienceAuth(), s.now().UTC()); err != nil {
		return err
	}
	if err := s.ExperienceUsers.CreateExperienceUser(r.Context(), u); err != nil {
		return err
	}
	return s.writeExperienceUser(w, r, req, http.StatusCreated, u)
}

func (s *Server) writeExperienceUser(w http.ResponseWriter, r *http.Request, req *request, status int, u *weir.ExperienceUser) error {
	t, err := s.groupTree(r.Context(), req.appID)
	if err != nil {
		return err
	}
	writeJSON(w, status, experienceUserResponse(u, t, req))
	return nil
}

// findExperienceUser returns the user the path names, or NotFound.
func (s *Server) findExperienceUser(r *http.Request, req *request) (*weir.ExperienceUser, error) {
	if err := s.experienceServices(); err != nil {
		return nil, err
	}
	return s.ExperienceUsers.FindExperienceUserByID(r.Context(), req.appID, req.userID)
}

// handleExperienceUserGet answers GET …/experience/users/{experienceUserId}.
func (s *Server) handleExperienceUserGet(w http.ResponseWriter, r *http.Request, req *request) error {
	u, err := s.findExperienceUser(r, req)
	if err != nil {
		return err
	}
	return s.writeExperienceUser(w, r, req, http.StatusOK, u)
}

// handleExperienceUserPatch answers PATCH …/experience/users/{experienceUserId}:
// the fields given replace the stored ones; experienceGroupIds replaces the
// membership.
func (s *Server) handleExperienceUserPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in weir.ExperienceUserChange
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "experienceUser is the wrong type")
	}
	u, err := s.findExperienceUser(r, req)
	if err != nil {
		return err
	}
	if err := in.Apply(u, s.experienceAuth(), s.now().UTC()); err != nil {
		return err
	}
	if err := s.ExperienceUsers.UpdateExperienceUser(r.Context(), u); err != nil {
		return err
	}
	return s.writeExperienceUser(w, r, req, http.StatusOK, u)
}

// handleExperienceUserDelete answers DELETE …/experience/users/{experienceUserId}
// with {"success":true}; the user's tokens stop working at once.
func (s *Server) handleExperienceUserDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.experienceServices(); err != nil {
		return err
	}
	if err := s.ExperienceUsers.DeleteExperienceUser(r.Context(), req.appID, req.userID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// parseQueryJSON reads an advanced query parameter, JSON text, with parse;
// "" is none.
func parseQueryJSON(text string, parse func(any) (*weir.ExperienceQuery, error)) (*weir.ExperienceQuery, error) {
	if text == "" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, weir.Errorf(weir.Validation, "query is not valid JSON")
	}
	return parse(v)
}
