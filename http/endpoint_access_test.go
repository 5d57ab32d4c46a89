package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
)

// accessHarness serves application A's endpoints GET /me (authenticated),
// GET /staff (group staff, a subgroup of admins; unauthorized requests are
// redirected to /login) and GET /open (public), each triggering a flow, with
// users ann (admins), bob (staff), cy (no group) of A and dee of B. The
// experience versions are versions'.
type accessHarness struct {
	*webhookHarness
	exp      *memExperience
	versions *memViews
	auth     *auth.Experience
	eps      map[string]*weir.ExperienceEndpoint
	users    map[string]*weir.ExperienceUser
	groups   map[string]string
}

func newAccessHarness(t *testing.T) *accessHarness {
	fake := &fakeEndpoints{}
	a := &accessHarness{eps: map[string]*weir.ExperienceEndpoint{}, users: map[string]*weir.ExperienceUser{},
		groups: map[string]string{}}
	a.exp = newMemExperience(time.Now)
	a.versions = newMemViews(time.Now)
	a.auth = &auth.Experience{Users: a.exp, Key: []byte("experience key")}
	a.webhookHarness = newWebhookHarness(t, func(s *weirhttp.Server) {
		s.Endpoints = fake
		s.EndpointReplyTimeout = 100 * time.Millisecond
		s.ExperienceUsers, s.ExperienceGroups, s.ExperienceAuth = a.exp, a.exp, a.auth
		s.ExperienceVersions = a.versions
	})
	ctx := t.Context()
	admins := &weir.ExperienceGroup{ApplicationID: a.appA, Name: "admins"}
	if err := a.exp.CreateExperienceGroup(ctx, admins); err != nil {
		t.Fatal(err)
	}
	staff := &weir.ExperienceGroup{ApplicationID: a.appA, Name: "staff", ParentID: admins.ID}
	if err := a.exp.CreateExperienceGroup(ctx, staff); err != nil {
		t.Fatal(err)
	}
	a.groups["admins"], a.groups["staff"] = admins.ID, staff.ID
	for name, u := range map[string]*weir.ExperienceUser{
		"ann": {ApplicationID: a.appA, GroupIDs: []string{admins.ID}},
		"bob": {ApplicationID: a.appA, GroupIDs: []string{staff.ID}},
		"cy":  {ApplicationID: a.appA},
		"dee": {ApplicationID: a.appB},
	} {
		u.Email, u.PasswordHash = name+"@example.com", "unused"
		if err := a.exp.CreateExperienceUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		a.users[name] = u
	}
	for name, ep := range map[string]*weir.ExperienceEndpoint{
		"me": {Route: "/me", Access: weir.EndpointAccessAuthenticated},
		"staff": {Route: "/staff", Access: weir.EndpointAccessGroup, GroupIDs: []string{staff.ID},
			UnauthorizedReply: &weir.UnauthorizedReply{Type: "redirect", Value: "/login?next={{request.path}}"}},
		"open": {Route: "/open", Access: weir.EndpointAccessPublic},
	} {
		ep.ID, ep.ApplicationID, ep.Method, ep.Enabled = weir.NewID(), a.appA, "get", true
		fake.eps = append(fake.eps, ep)
		a.eps[name] = ep
		f := &weir.Flow{ID: weir.NewID(), ApplicationID: a.appA, Name: name, Enabled: true, FlowClass: weir.FlowClassExperience,
			Definition: weir.Definition{
				Triggers: []weir.Trigger{{Type: "endpoint", Key: ep.ID, Config: json.RawMessage(`{}`), OutputIDs: [][]string{{"n1"}}}},
				Nodes:    []weir.Node{{ID: "n1", Type: "DebugNode"}},
			}}
		if err := a.store.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// get asks GET path without following redirects.
func (a *accessHarness) get(t *testing.T, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", a.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, mustRead(t, resp)
}

func (a *accessHarness) token(t *testing.T, name string) string {
	t.Helper()
	tok, err := a.auth.IssueToken(a.users[name], time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEndpointAccess(t *testing.T) {
	a := newAccessHarness(t)
	bearer := func(name string) http.Header { return http.Header{"Authorization": {"Bearer " + a.token(t, name)}} }
	cookie := func(name string) http.Header { return http.Header{"Cookie": {"authorization=" + a.token(t, name)}} }
	for _, c := range []struct {
		name, ep string
		header   http.Header
		run      bool // else refused
	}{
		{"AuthenticatedBearer", "me", bearer("cy"), true},
		{"AuthenticatedCookie", "me", cookie("cy"), true},
		{"ErrAuthenticatedNoToken", "me", nil, false},
		{"ErrAuthenticatedGarbage", "me", http.Header{"Authorization": {"Bearer nope"}}, false},
		{"ErrOtherApplicationsUser", "me", bearer("dee"), false},
		{"GroupMember", "staff", bearer("bob"), true},
		{"GroupAncestorMember", "staff", cookie("ann"), true},
		{"ErrGroupNonMember", "staff", bearer("cy"), false},
		{"PublicNoToken", "open", nil, true},
		{"PublicBadToken", "open", http.Header{"Authorization": {"Bearer nope"}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(a.store.queued())
			resp, b := a.get(t, "/experience/"+a.appA+a.eps[c.ep].Route, c.header)
			runs := a.store.queued()
			if !c.run {
				if len(runs) != before {
					t.Fatalf("a refused request started a run")
				}
				if c.ep == "staff" {
					if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next=/staff" {
						t.Fatalf("refused = %d %v %s, want the endpoint's redirect", resp.StatusCode, resp.Header, b)
					}
					return
				}
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), `"type":"Unauthorized"`) {
					t.Fatalf("refused = %d %s, want Losant's 401", resp.StatusCode, b)
				}
				return
			}
			if len(runs) != before+1 {
				t.Fatalf("answer %d %s; %d runs, want one more", resp.StatusCode, b, len(runs)-before)
			}
			var exp struct {
				User     map[string]any `json:"user"`
				AuthInfo map[string]any `json:"authInfo"`
			}
			if err := json.Unmarshal(runs[len(runs)-1].Experience, &exp); err != nil {
				t.Fatal(err)
			}
			if c.header == nil || c.ep == "open" && strings.Contains(c.header.Get("Authorization"), "nope") {
				if exp.User != nil {
					t.Fatalf("public run's user = %v, want null", exp.User)
				}
				return
			}
			if exp.User["email"] == nil || exp.User["experienceGroups"] == nil || exp.AuthInfo["issuedAt"] == nil {
				t.Fatalf("experience = %s, want the user with groups and authInfo", runs[len(runs)-1].Experience)
			}
			if strings.Contains(string(runs[len(runs)-1].Experience), "unused") {
				t.Fatal("the run's experience carries the password hash")
			}
		})
	}
}

// TestEndpointAccessUserGone: a deleted user's token, or one issued before
// the user's token cutoff, stops working at the next request.
func TestEndpointAccessUserGone(t *testing.T) {
	a := newAccessHarness(t)
	ctx := t.Context()
	get := func(tok string) int {
		resp, _ := a.get(t, "/experience/"+a.appA+"/me", http.Header{"Authorization": {"Bearer " + tok}})
		return resp.StatusCode
	}
	tok := a.token(t, "cy")
	if got := get(tok); got == http.StatusUnauthorized {
		t.Fatalf("valid token refused")
	}
	u := a.users["cy"]
	cut := time.Now().Add(2 * time.Second) // a second past this token's issue
	u.TokenCutoff = &cut
	if err := a.exp.UpdateExperienceUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got := get(tok); got != http.StatusUnauthorized {
		t.Fatalf("token before the cutoff: %d, want 401", got)
	}
	u.TokenCutoff = nil
	if err := a.exp.UpdateExperienceUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := a.exp.DeleteExperienceUser(ctx, a.appA, u.ID); err != nil {
		t.Fatal(err)
	}
	if got := get(tok); got != http.StatusUnauthorized {
		t.Fatalf("deleted user's token: %d, want 401", got)
	}
}
