package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// ExperienceStore is a store that also keeps experience users and groups.
type ExperienceStore interface {
	Store
	weir.ExperienceUserService
	weir.ExperienceGroupService
	weir.ExperienceEndpointService
}

// RunExperience runs the experience users and groups suite. open must
// return a new, empty store for each call and close it in t.Cleanup.
//
// Besides the services' documented contracts, the suite pins down: emails
// are kept lowercase and unique per application, not across applications;
// membership is written from either side and read on both; deleting a user
// or group removes its memberships; deleting a group moves its children up;
// an endpoint keeps its groups and unauthorized reply.
func RunExperience(t *testing.T, open func(t *testing.T) ExperienceStore) {
	t.Run("Users", func(t *testing.T) { testExperienceUsers(t, open(t)) })
	t.Run("Groups", func(t *testing.T) { testExperienceGroups(t, open(t)) })
	t.Run("EndpointAccess", func(t *testing.T) { testEndpointAccess(t, open(t)) })
}

func mustCreateUser(t *testing.T, s ExperienceStore, u *weir.ExperienceUser) *weir.ExperienceUser {
	t.Helper()
	if u.PasswordHash == "" {
		u.PasswordHash = "$hash"
	}
	if err := s.CreateExperienceUser(t.Context(), u); err != nil {
		t.Fatalf("CreateExperienceUser(%s): %v", u.Email, err)
	}
	return u
}

func mustCreateGroup(t *testing.T, s ExperienceStore, g *weir.ExperienceGroup) *weir.ExperienceGroup {
	t.Helper()
	if err := s.CreateExperienceGroup(t.Context(), g); err != nil {
		t.Fatalf("CreateExperienceGroup(%s): %v", g.Name, err)
	}
	return g
}

func testExperienceUsers(t *testing.T, s ExperienceStore) {
	ctx := t.Context()
	app := mustCreateApplication(t, s, &weir.Application{Name: "a"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	g := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "Staff"})
	cut := ms(time.Now())
	u := mustCreateUser(t, s, &weir.ExperienceUser{ApplicationID: app.ID, Email: " Ann@Example.com", FirstName: "Ann",
		UserTags: map[string]string{"role": "admin"}, GroupIDs: []string{g.ID}, TokenCutoff: &cut})
	if u.Email != "ann@example.com" || !weir.ValidID(u.ID) || u.CreationDate.IsZero() {
		t.Fatalf("created user = %+v", u)
	}
	got, err := s.FindExperienceUserByEmail(ctx, app.ID, "ANN@example.COM")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got, cmpOpts); diff != "" {
		t.Fatalf("found user differs (-created +found):\n%s", diff)
	}
	if _, err := s.FindExperienceUserByID(ctx, other.ID, u.ID); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("another application's user: %v, want NotFound", err)
	}
	checkError(t, s.CreateExperienceUser(ctx, &weir.ExperienceUser{ApplicationID: app.ID, Email: "ann@example.com", PasswordHash: "x"}),
		weir.Validation, "")
	checkError(t, s.CreateExperienceUser(ctx, &weir.ExperienceUser{ApplicationID: app.ID, Email: "not an email", PasswordHash: "x"}),
		weir.Validation, "")
	checkError(t, s.CreateExperienceUser(ctx, &weir.ExperienceUser{ApplicationID: other.ID, Email: "z@example.com", PasswordHash: "x",
		GroupIDs: []string{g.ID}}), weir.Validation, "Experience group was not found")
	checkError(t, s.CreateExperienceUser(ctx, &weir.ExperienceUser{ApplicationID: weir.NewID(), Email: "z@example.com", PasswordHash: "x"}),
		weir.NotFound, "Application was not found")
	mustCreateUser(t, s, &weir.ExperienceUser{ApplicationID: other.ID, Email: "ann@example.com"}) // per application
	bob := mustCreateUser(t, s, &weir.ExperienceUser{ApplicationID: app.ID, Email: "bob@example.com", FirstName: "Bob"})

	list := func(f weir.ExperienceUserFilter) []string {
		t.Helper()
		f.ApplicationID = app.ID
		us, _, err := s.FindExperienceUsers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range us {
			emails = append(emails, u.Email)
		}
		return emails
	}
	for name, c := range map[string]struct {
		f    weir.ExperienceUserFilter
		want []string
	}{
		"all":      {weir.ExperienceUserFilter{}, []string{"ann@example.com", "bob@example.com"}},
		"desc":     {weir.ExperienceUserFilter{ListOptions: weir.ListOptions{SortDirection: "desc"}}, []string{"bob@example.com", "ann@example.com"}},
		"group":    {weir.ExperienceUserFilter{GroupID: g.ID}, []string{"ann@example.com"}},
		"any":      {weir.ExperienceUserFilter{GroupID: "any"}, []string{"ann@example.com"}},
		"none":     {weir.ExperienceUserFilter{GroupID: "none"}, []string{"bob@example.com"}},
		"tag":      {weir.ExperienceUserFilter{Tags: map[string]string{"role": ""}}, []string{"ann@example.com"}},
		"filter":   {weir.ExperienceUserFilter{ListOptions: weir.ListOptions{FilterField: "firstName", Filter: "b*b"}}, []string{"bob@example.com"}},
		"page":     {weir.ExperienceUserFilter{ListOptions: weir.ListOptions{PerPage: 1, Page: 1}}, []string{"bob@example.com"}},
		"tag page": {weir.ExperienceUserFilter{Tags: map[string]string{"role": "admin"}, ListOptions: weir.ListOptions{PerPage: 1, Page: 1}}, nil},
		"query": {weir.ExperienceUserFilter{Query: mustUserQuery(t, map[string]any{"$or": []any{
			map[string]any{"firstName": "Bob"}, map[string]any{"experienceGroupId": g.ID}}}),
			ListOptions: weir.ListOptions{SortDirection: "desc"}}, []string{"bob@example.com", "ann@example.com"}},
		"query page": {weir.ExperienceUserFilter{Query: mustUserQuery(t, map[string]any{"email": map[string]any{"$contains": "@"}}),
			ListOptions: weir.ListOptions{PerPage: 1, Page: 1}}, []string{"bob@example.com"}},
	} {
		if got := list(c.f); !cmp.Equal(got, c.want, cmpOpts) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	if _, _, err := s.FindExperienceUsers(ctx, weir.ExperienceUserFilter{ApplicationID: app.ID,
		ListOptions: weir.ListOptions{SortField: "password"}}); weir.ErrorTypeOf(err) != weir.Validation {
		t.Errorf("sort by password: %v, want Validation", err)
	}

	bob.Email, bob.GroupIDs = "ann@example.com", nil
	checkError(t, s.UpdateExperienceUser(ctx, bob), weir.Validation, "")
	bob.Email, bob.GroupIDs, bob.LastName = "Robert@example.com", []string{g.ID}, "B"
	if err := s.UpdateExperienceUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	gg, err := s.FindExperienceGroupByID(ctx, app.ID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(gg.UserIDs, sortedIDs(u.ID, bob.ID)) {
		t.Errorf("group members = %v, want both users", gg.UserIDs)
	}
	if err := s.DeleteExperienceUser(ctx, app.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	checkError(t, s.DeleteExperienceUser(ctx, app.ID, u.ID), weir.NotFound, "Experience user was not found")
	if gg, _ = s.FindExperienceGroupByID(ctx, app.ID, g.ID); !cmp.Equal(gg.UserIDs, []string{bob.ID}) {
		t.Errorf("members after delete = %v", gg.UserIDs)
	}
	if err := s.DeleteApplication(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindExperienceUserByID(ctx, app.ID, bob.ID); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Errorf("user after its application was deleted: %v", err)
	}
}

func mustUserQuery(t *testing.T, v any) *weir.ExperienceQuery {
	t.Helper()
	q, err := weir.ParseExperienceUserQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func sortedIDs(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}

func testExperienceGroups(t *testing.T, s ExperienceStore) {
	ctx := t.Context()
	app := mustCreateApplication(t, s, &weir.Application{Name: "a"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	u := mustCreateUser(t, s, &weir.ExperienceUser{ApplicationID: app.ID, Email: "u@example.com"})
	root := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "root", UserIDs: []string{u.ID},
		DeviceTags: []weir.DeviceTag{{Key: "site", Value: "1"}}, GroupTags: map[string]string{"k": "v"}})
	mid := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "mid", ParentID: root.ID,
		DeviceQueryJSON: `{"name":{"$eq":"pump"}}`})
	leaf := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "leaf", ParentID: mid.ID})
	got, err := s.FindExperienceGroupByID(ctx, app.ID, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(root, got, cmpOpts); diff != "" {
		t.Fatalf("found group differs:\n%s", diff)
	}
	if us, _ := s.FindExperienceUserByID(ctx, app.ID, u.ID); !cmp.Equal(us.GroupIDs, []string{root.ID}) {
		t.Errorf("user groups = %v", us.GroupIDs)
	}
	checkError(t, s.CreateExperienceGroup(ctx, &weir.ExperienceGroup{ApplicationID: other.ID, Name: "x", ParentID: root.ID}),
		weir.Validation, "Parent experience group was not found")
	checkError(t, s.CreateExperienceGroup(ctx, &weir.ExperienceGroup{ApplicationID: other.ID, Name: "x", UserIDs: []string{u.ID}}),
		weir.Validation, "Experience user was not found")
	checkError(t, s.CreateExperienceGroup(ctx, &weir.ExperienceGroup{ApplicationID: app.ID, Name: ""}), weir.Validation, "")
	checkError(t, s.CreateExperienceGroup(ctx, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "q", DeviceQueryJSON: "{"}),
		weir.Validation, "")
	root.ParentID = leaf.ID // a cycle
	checkError(t, s.UpdateExperienceGroup(ctx, root), weir.Validation, "")
	root.ParentID = ""

	gs, n, err := s.FindExperienceGroups(ctx, weir.ExperienceGroupFilter{ApplicationID: app.ID})
	if err != nil || n != 3 || gs[0].Name != "leaf" || gs[2].Name != "root" {
		t.Fatalf("groups = %d %v", n, err)
	}
	q, err := weir.ParseExperienceGroupQuery(map[string]any{"ancestorId": root.ID})
	if err != nil {
		t.Fatal(err)
	}
	below, n, err := s.FindExperienceGroups(ctx, weir.ExperienceGroupFilter{ApplicationID: app.ID, Query: q,
		ListOptions: weir.ListOptions{PerPage: 1, Page: 1}})
	if err != nil || n != 2 || len(below) != 1 || below[0].ID != mid.ID {
		t.Fatalf("groups below root, second page = %d %v, want mid of 2", n, err)
	}
	if bare, _, _ := s.FindExperienceGroups(ctx, weir.ExperienceGroupFilter{ApplicationID: app.ID, NoMembers: true}); len(bare) != 3 ||
		len(bare[2].UserIDs) != 0 || len(gs[2].UserIDs) != 1 {
		t.Errorf("NoMembers: %d groups, root members %v (with members: %v)", len(bare), bare[2].UserIDs, gs[2].UserIDs)
	}
	tree := weir.NewGroupTree(gs)
	if a := tree.Ancestors(leaf.ID); !cmp.Equal(a, []string{mid.ID, root.ID}) {
		t.Errorf("ancestors of leaf = %v", a)
	}
	if !tree.InGroup([]string{root.ID}, leaf.ID) || tree.InGroup([]string{leaf.ID}, root.ID) {
		t.Error("a member of root belongs to leaf, not the other way round")
	}
	pump := &weir.Device{ID: weir.NewID(), ApplicationID: app.ID, Name: "pump"}
	if !tree.SeesDevice([]string{root.ID}, pump) || tree.SeesDevice([]string{leaf.ID}, pump) {
		t.Error("mid's query names the pump for root's members, not leaf's")
	}

	if err := s.DeleteExperienceGroup(ctx, app.ID, mid.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.FindExperienceGroupByID(ctx, app.ID, leaf.ID); l.ParentID != root.ID {
		t.Errorf("leaf's parent after its parent was deleted = %q, want root", l.ParentID)
	}
	if err := s.DeleteExperienceGroup(ctx, app.ID, root.ID); err != nil {
		t.Fatal(err)
	}
	if us, _ := s.FindExperienceUserByID(ctx, app.ID, u.ID); len(us.GroupIDs) != 0 {
		t.Errorf("user groups after delete = %v", us.GroupIDs)
	}
	checkError(t, s.DeleteExperienceGroup(ctx, app.ID, root.ID), weir.NotFound, "Experience group was not found")
}

func testEndpointAccess(t *testing.T, s ExperienceStore) {
	ctx := t.Context()
	app := mustCreateApplication(t, s, &weir.Application{Name: "a"})
	g := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: app.ID, Name: "g"})
	e := &weir.ExperienceEndpoint{ApplicationID: app.ID, Route: "/x", Method: "get", Access: weir.EndpointAccessGroup,
		GroupIDs: []string{g.ID}, Enabled: true, UnauthorizedReply: &weir.UnauthorizedReply{Type: "redirect", Value: "/login"},
		Tags: map[string]string{"cpf_role": "editor"}}
	if err := s.CreateExperienceEndpoint(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindExperienceEndpointByID(ctx, app.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got, cmpOpts); diff != "" {
		t.Fatalf("endpoint differs:\n%s", diff)
	}
	e.Access, e.GroupIDs, e.UnauthorizedReply = weir.EndpointAccessAuthenticated, nil, nil
	if err := s.UpdateExperienceEndpoint(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.FindExperienceEndpointByID(ctx, app.ID, e.ID); got.UnauthorizedReply != nil || len(got.GroupIDs) != 0 {
		t.Fatalf("updated endpoint = %+v", got)
	}
	// Group access with no groups is kept as it is: it refuses everyone.
	e.Access = weir.EndpointAccessGroup
	if err := s.UpdateExperienceEndpoint(ctx, e); err != nil {
		t.Fatalf("group access without groups: %v", err)
	}
	if got, _ = s.FindExperienceEndpointByID(ctx, app.ID, e.ID); got.Access != weir.EndpointAccessGroup || len(got.GroupIDs) != 0 {
		t.Fatalf("endpoint with group access and no groups = %+v", got)
	}
	testEndpointGroupDeleted(t, s, app.ID, g)
}

// testEndpointGroupDeleted checks that deleting a group takes it out of
// every endpoint naming it, leaving an endpoint whose last group it was with
// group access and no groups.
func testEndpointGroupDeleted(t *testing.T, s ExperienceStore, appID string, g *weir.ExperienceGroup) {
	ctx := t.Context()
	h := mustCreateGroup(t, s, &weir.ExperienceGroup{ApplicationID: appID, Name: "h"})
	endpoint := func(route string, groups ...string) *weir.ExperienceEndpoint {
		e := &weir.ExperienceEndpoint{ApplicationID: appID, Route: route, Method: "get", Access: weir.EndpointAccessGroup,
			GroupIDs: groups, Enabled: true}
		if err := s.CreateExperienceEndpoint(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	both, only, other := endpoint("/both", g.ID, h.ID), endpoint("/only", g.ID), endpoint("/other", h.ID)
	if err := s.DeleteExperienceGroup(ctx, appID, g.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		e    *weir.ExperienceEndpoint
		want []string
	}{{both, []string{h.ID}}, {only, nil}, {other, []string{h.ID}}} {
		got, err := s.FindExperienceEndpointByID(ctx, appID, c.e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got.GroupIDs, c.want) || got.Access != weir.EndpointAccessGroup {
			t.Errorf("%s after its group was deleted: access %s, groups %v; want group, %v", c.e.Route, got.Access, got.GroupIDs, c.want)
		}
	}
}
