package storetest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// EndpointStore is a store that also keeps experience endpoints.
type EndpointStore interface {
	Store
	weir.ExperienceEndpointService
}

// RunEndpoints runs the experience endpoint suite. open must return a new,
// empty store for each call and close it in t.Cleanup.
//
// Besides ExperienceEndpointService's documented contract, the suite pins
// down: routes differing only in parameter names collide for one method;
// sortField is one of route, method, id, creationDate, lastUpdated;
// deleting an application deletes its endpoints.
func RunEndpoints(t *testing.T, open func(t *testing.T) EndpointStore) {
	t.Run("CreateFindOK", func(t *testing.T) { testEndpointCreateFind(t, open) })
	t.Run("Create", func(t *testing.T) { testEndpointCreateErrors(t, open) })
	t.Run("List", func(t *testing.T) { testEndpointList(t, open) })
	t.Run("Update", func(t *testing.T) { testEndpointUpdate(t, open) })
	t.Run("Delete", func(t *testing.T) { testEndpointDelete(t, open) })
	t.Run("DeleteApplicationOK", func(t *testing.T) { testEndpointDeleteApplication(t, open) })
}

// endpointOf returns a valid, enabled, public endpoint of the application.
func endpointOf(appID, method, route string) *weir.ExperienceEndpoint {
	return &weir.ExperienceEndpoint{
		ApplicationID: appID, Method: method, Route: route,
		Access: weir.EndpointAccessPublic, Enabled: true,
	}
}

func mustCreateEndpoint(t *testing.T, s EndpointStore, e *weir.ExperienceEndpoint) *weir.ExperienceEndpoint {
	t.Helper()
	if err := s.CreateExperienceEndpoint(t.Context(), e); err != nil {
		t.Fatalf("CreateExperienceEndpoint(%s %s): %v", e.Method, e.Route, err)
	}
	return e
}

func testEndpointCreateFind(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	e := endpointOf(a.ID, "post", "/users/{id}/ünïcode")
	e.Description, e.Enabled = "Users – ünïcode", false
	e.StaticReply = &weir.StaticReply{Type: "page", Value: "home", StatusCode: 201}
	mustCreateEndpoint(t, s, e)
	if !weir.ValidID(e.ID) || e.CreationDate.IsZero() || !e.LastUpdated.Equal(e.CreationDate) {
		t.Fatalf("created endpoint = %+v, want an id and equal dates", e)
	}
	got, err := s.FindExperienceEndpointByID(t.Context(), a.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("FindExperienceEndpointByID mismatch (-created +found):\n%s", diff)
	}
	// The static reply changes and goes with an update.
	e.StaticReply = &weir.StaticReply{Type: "redirect", Value: "/login"}
	if err := s.UpdateExperienceEndpoint(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindExperienceEndpointByID(t.Context(), a.ID, e.ID); !cmp.Equal(got.StaticReply, e.StaticReply) {
		t.Errorf("static reply after an update = %+v, want %+v", got.StaticReply, e.StaticReply)
	}
	e.StaticReply = nil
	if err := s.UpdateExperienceEndpoint(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindExperienceEndpointByID(t.Context(), a.ID, e.ID); got.StaticReply != nil {
		t.Errorf("static reply after its removal = %+v, want none", got.StaticReply)
	}
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	_, err = s.FindExperienceEndpointByID(t.Context(), b.ID, e.ID)
	checkError(t, err, weir.NotFound, "Experience endpoint was not found")
}

func testEndpointCreateErrors(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	t.Run("ErrApplicationNotFound", func(t *testing.T) {
		err := s.CreateExperienceEndpoint(t.Context(), endpointOf(weir.NewID(), "get", "/x"))
		checkError(t, err, weir.NotFound, "Application was not found")
	})
	t.Run("ErrDuplicateID", func(t *testing.T) {
		e := mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/dup-id"))
		dup := endpointOf(a.ID, "get", "/dup-id-2")
		dup.ID = e.ID
		checkError(t, s.CreateExperienceEndpoint(t.Context(), dup), weir.Validation, "")
	})
	t.Run("ErrRouteTaken", func(t *testing.T) {
		mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/users/{id}"))
		checkError(t, s.CreateExperienceEndpoint(t.Context(), endpointOf(a.ID, "get", "/users/{name}")),
			weir.Validation, "An endpoint for get /users/{name} already exists")
	})
	t.Run("OtherMethodOrApplicationOK", func(t *testing.T) {
		mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/same"))
		mustCreateEndpoint(t, s, endpointOf(a.ID, "post", "/same"))
		b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
		mustCreateEndpoint(t, s, endpointOf(b.ID, "get", "/same"))
	})
	invalid := []struct {
		name   string
		modify func(e *weir.ExperienceEndpoint)
	}{
		{"ErrRouteNoSlash", func(e *weir.ExperienceEndpoint) { e.Route = "x" }},
		{"ErrRouteEmptySegment", func(e *weir.ExperienceEndpoint) { e.Route = "/a//b" }},
		{"ErrRouteBadParam", func(e *weir.ExperienceEndpoint) { e.Route = "/{a-b}" }},
		{"ErrMethod", func(e *weir.ExperienceEndpoint) { e.Method = "head" }},
		{"ErrAccessUnsupported", func(e *weir.ExperienceEndpoint) { e.Access = "device" }},
		{"ErrUnauthorizedReplyNotRedirect", func(e *weir.ExperienceEndpoint) {
			e.UnauthorizedReply = &weir.UnauthorizedReply{Type: "page", Value: "x"}
		}},
		{"ErrDescriptionLong", func(e *weir.ExperienceEndpoint) { e.Description = strings.Repeat("x", 32768) }},
		{"ErrStaticReplyType", func(e *weir.ExperienceEndpoint) { e.StaticReply = &weir.StaticReply{Type: "json", Value: "x"} }},
		{"ErrStaticReplyNoValue", func(e *weir.ExperienceEndpoint) { e.StaticReply = &weir.StaticReply{Type: "page"} }},
		{"ErrStaticReplyStatus", func(e *weir.ExperienceEndpoint) {
			e.StaticReply = &weir.StaticReply{Type: "page", Value: "x", StatusCode: 700}
		}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			e := endpointOf(a.ID, "get", "/valid")
			tc.modify(e)
			checkError(t, s.CreateExperienceEndpoint(t.Context(), e), weir.Validation, "")
		})
	}
}

func testEndpointList(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	for _, r := range []string{"/c", "/a", "/b/{x}"} {
		mustCreateEndpoint(t, s, endpointOf(a.ID, "get", r))
	}
	mustCreateEndpoint(t, s, endpointOf(b.ID, "get", "/other"))
	routes := func(es []*weir.ExperienceEndpoint) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.Route)
		}
		return out
	}
	tests := []struct {
		name  string
		opts  weir.ListOptions
		want  []string
		total int
	}{
		{"DefaultByRouteOK", weir.ListOptions{}, []string{"/a", "/b/{x}", "/c"}, 3},
		{"DescPageOK", weir.ListOptions{SortDirection: "desc", PerPage: 2}, []string{"/c", "/b/{x}"}, 3},
		{"FilterRouteOK", weir.ListOptions{Filter: "b/*"}, []string{"/b/{x}"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, n, err := s.FindExperienceEndpoints(t.Context(), weir.ExperienceEndpointFilter{ApplicationID: a.ID, ListOptions: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, routes(es)); diff != "" || n != tc.total {
				t.Errorf("FindExperienceEndpoints(%+v) = %d total, routes (-want +got):\n%s", tc.opts, n, diff)
			}
		})
	}
	t.Run("ErrSortField", func(t *testing.T) {
		_, _, err := s.FindExperienceEndpoints(t.Context(), weir.ExperienceEndpointFilter{ApplicationID: a.ID,
			ListOptions: weir.ListOptions{SortField: "name"}})
		checkError(t, err, weir.Validation, "")
	})
}

func testEndpointUpdate(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	e := mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/a"))
	mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/taken/{id}"))
	t.Run("OK", func(t *testing.T) {
		up := *e
		up.Route, up.Method, up.Description, up.Enabled = "/b/{id}", "put", "d", false
		if err := s.UpdateExperienceEndpoint(t.Context(), &up); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindExperienceEndpointByID(t.Context(), a.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&up, got); diff != "" || !got.CreationDate.Equal(e.CreationDate) {
			t.Errorf("after update (-updated +found):\n%s", diff)
		}
	})
	t.Run("ErrRouteTaken", func(t *testing.T) {
		up := *e
		up.Route, up.Method = "/taken/{other}", "get"
		checkError(t, s.UpdateExperienceEndpoint(t.Context(), &up), weir.Validation, "")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		up := *e
		up.ID = weir.NewID()
		checkError(t, s.UpdateExperienceEndpoint(t.Context(), &up), weir.NotFound, "Experience endpoint was not found")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		up := *e
		up.Route = "no-slash"
		checkError(t, s.UpdateExperienceEndpoint(t.Context(), &up), weir.Validation, "")
	})
}

func testEndpointDelete(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	e := mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/a"))
	if err := s.DeleteExperienceEndpoint(t.Context(), a.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.FindExperienceEndpointByID(t.Context(), a.ID, e.ID)
	checkError(t, err, weir.NotFound, "Experience endpoint was not found")
	checkError(t, s.DeleteExperienceEndpoint(t.Context(), a.ID, e.ID), weir.NotFound, "Experience endpoint was not found")
}

func testEndpointDeleteApplication(t *testing.T, open func(t *testing.T) EndpointStore) {
	s := open(t)
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	b := mustCreateApplication(t, s, &weir.Application{Name: "b"})
	mustCreateEndpoint(t, s, endpointOf(a.ID, "get", "/a"))
	other := mustCreateEndpoint(t, s, endpointOf(b.ID, "get", "/a"))
	if err := s.DeleteApplication(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.FindExperienceEndpoints(t.Context(), weir.ExperienceEndpointFilter{ApplicationID: a.ID}); err != nil || n != 0 {
		t.Fatalf("FindExperienceEndpoints after deleting the application = %d, %v; want 0", n, err)
	}
	if _, err := s.FindExperienceEndpointByID(t.Context(), b.ID, other.ID); err != nil {
		t.Fatalf("the other application's endpoint: %v", err)
	}
}
