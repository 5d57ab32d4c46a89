package storetest

import (
	"testing"

	"github.com/weirhq/weir"
)

// ViewStore is a store that also keeps experience views, application
// files and the resources kept for an application's round trip.
type ViewStore interface {
	Store
	weir.ExperienceViewService
	weir.ApplicationFileService
	weir.ExperienceVersionService
	weir.KeptResourceService
}

// RunViews runs the experience view and application file suite. open must
// return a new, empty store for each call and close it in t.Cleanup.
//
// Besides the services' documented contracts, the suite pins down: view
// names are unique per type; a page's layout must be a layout of its own
// application; deleting a layout leaves its pages without one; a file's
// missing parent directories are created; deleting a directory deletes
// what is below it and nothing else; contents never cross applications.
func RunViews(t *testing.T, open func(t *testing.T) ViewStore) {
	t.Run("View", func(t *testing.T) { testViews(t, open) })
	t.Run("File", func(t *testing.T) { testFiles(t, open) })
	t.Run("Version", func(t *testing.T) { testExperienceVersion(t, open) })
	t.Run("Kept", func(t *testing.T) { testKeptResources(t, open) })
}

func testExperienceVersion(t *testing.T, open func(t *testing.T) ViewStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	v, err := s.FindExperienceVersion(ctx, a.ID)
	if err != nil || v.EndpointDefaultCors || v.Description != "" || !v.CreationDate.IsZero() || len(v.Globals) != 0 || v.UnauthorizedReply != nil {
		t.Fatalf("a version never changed = %+v, %v; want the defaults", v, err)
	}
	v.Description, v.EndpointDefaultCors, v.AllowedCorsOrigins = "first", true, []string{"https://example.com"}
	if err := s.UpdateExperienceVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	checkTimeSet(t, "CreationDate", v.CreationDate)
	v.Description = "second"
	if err := s.UpdateExperienceVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindExperienceVersion(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "version", got, v)
	bad := *v
	bad.AllowedCorsOrigins = []string{"short"}
	checkError(t, s.UpdateExperienceVersion(ctx, &bad), weir.Validation, "")
	testExperienceVersionGlobals(t, s, a.ID)
	missing := &weir.ExperienceVersion{ApplicationID: weir.NewID()}
	checkError(t, s.UpdateExperienceVersion(ctx, missing), weir.NotFound, "Application was not found")
}

// testExperienceVersionGlobals checks that a version's globals and
// unauthorized reply are kept, changed and removed, and that ones that do
// not validate are refused and change nothing.
func testExperienceVersionGlobals(t *testing.T, s ViewStore, appID string) {
	ctx := t.Context()
	v, err := s.FindExperienceVersion(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	v.Globals = []weir.Global{{Key: "title", JSON: `"Acme | {{this}}"`, Description: "page titles"}, {Key: "limit", JSON: "10", CloudOnly: true}}
	v.UnauthorizedReply = &weir.UnauthorizedReply{Type: "redirect", StatusCode: 303, Value: "/login?to={{request.path}}"}
	if err := s.UpdateExperienceVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindExperienceVersion(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "version with globals", got, v)

	for name, change := range map[string]func(*weir.ExperienceVersion){
		"ErrGlobalKey": func(b *weir.ExperienceVersion) { b.Globals = []weir.Global{{Key: "a b", JSON: "1"}} },
		"ErrGlobalTwice": func(b *weir.ExperienceVersion) {
			b.Globals = []weir.Global{{Key: "a", JSON: "1"}, {Key: "a", JSON: "2"}}
		},
		"ErrGlobalJSON":     func(b *weir.ExperienceVersion) { b.Globals = []weir.Global{{Key: "a", JSON: "{"}} },
		"ErrTooManyGlobals": func(b *weir.ExperienceVersion) { b.Globals = make([]weir.Global, weir.MaxGlobals+1) },
		"ErrReplyNotRedirect": func(b *weir.ExperienceVersion) {
			b.UnauthorizedReply = &weir.UnauthorizedReply{Type: "page", Value: "x"}
		},
		"ErrReplyStatus": func(b *weir.ExperienceVersion) {
			b.UnauthorizedReply = &weir.UnauthorizedReply{Type: "redirect", Value: "/login", StatusCode: 200}
		},
	} {
		bad := *got
		change(&bad)
		checkError(t, s.UpdateExperienceVersion(ctx, &bad), weir.Validation, "")
		after, err := s.FindExperienceVersion(ctx, appID)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, name+" changed nothing", after, got)
	}

	v.Globals, v.UnauthorizedReply = nil, nil
	if err := s.UpdateExperienceVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, err = s.FindExperienceVersion(ctx, appID); err != nil || len(got.Globals) != 0 || got.UnauthorizedReply != nil {
		t.Errorf("after removing them: globals %v, unauthorized reply %v (%v); want none", got.Globals, got.UnauthorizedReply, err)
	}
}

func testViews(t *testing.T, open func(t *testing.T) ViewStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	layout := &weir.ExperienceView{ApplicationID: a.ID, Name: "main", ViewType: weir.ViewLayout, Body: "<main>{{page}}</main>"}
	if err := s.CreateExperienceView(ctx, layout); err != nil {
		t.Fatalf("CreateExperienceView(layout): %v", err)
	}
	page := &weir.ExperienceView{ApplicationID: a.ID, Name: "home", ViewType: weir.ViewPage, Body: "hi {{pageData.x}}",
		LayoutID: layout.ID, Headers: map[string]string{"Content-Type": "text/html"}, ViewTags: map[string]string{"title": "Home"}}
	if err := s.CreateExperienceView(ctx, page); err != nil {
		t.Fatalf("CreateExperienceView(page): %v", err)
	}
	got, err := s.FindExperienceViewByName(ctx, a.ID, weir.ViewPage, "home")
	if err != nil {
		t.Fatalf("FindExperienceViewByName: %v", err)
	}
	checkDiff(t, "page", got, page)
	_, err = s.FindExperienceViewByID(ctx, other.ID, page.ID)
	checkError(t, err, weir.NotFound, "Experience view was not found")

	dup := &weir.ExperienceView{ApplicationID: a.ID, Name: "home", ViewType: weir.ViewPage, Body: "x"}
	checkError(t, s.CreateExperienceView(ctx, dup), weir.Validation, "")
	sameNameOtherType := &weir.ExperienceView{ApplicationID: a.ID, Name: "home", ViewType: weir.ViewComponent, Body: "x"}
	if err := s.CreateExperienceView(ctx, sameNameOtherType); err != nil {
		t.Errorf("a component may share a page's name: %v", err)
	}
	foreign := &weir.ExperienceView{ApplicationID: other.ID, Name: "p", ViewType: weir.ViewPage, Body: "x", LayoutID: layout.ID}
	checkError(t, s.CreateExperienceView(ctx, foreign), weir.Validation, "")
	notLayout := &weir.ExperienceView{ApplicationID: a.ID, Name: "p2", ViewType: weir.ViewPage, Body: "x", LayoutID: page.ID}
	checkError(t, s.CreateExperienceView(ctx, notLayout), weir.Validation, "")

	vs, n, err := s.FindExperienceViews(ctx, weir.ExperienceViewFilter{ApplicationID: a.ID, ViewType: weir.ViewPage})
	if err != nil || n != 1 || len(vs) != 1 || vs[0].ID != page.ID {
		t.Errorf("FindExperienceViews(page) = %d views, %d, %v; want the one page", len(vs), n, err)
	}

	upd := *page
	upd.Body, upd.ViewType = "changed", weir.ViewComponent
	if err := s.UpdateExperienceView(ctx, &upd); err != nil {
		t.Fatalf("UpdateExperienceView: %v", err)
	}
	if got, _ := s.FindExperienceViewByID(ctx, a.ID, page.ID); got.Body != "changed" || got.ViewType != weir.ViewPage {
		t.Errorf("after update body %q type %q, want changed and the type kept", got.Body, got.ViewType)
	}
	if err := s.DeleteExperienceView(ctx, a.ID, layout.ID); err != nil {
		t.Fatalf("DeleteExperienceView: %v", err)
	}
	if got, _ := s.FindExperienceViewByID(ctx, a.ID, page.ID); got.LayoutID != "" {
		t.Errorf("page layout after its layout was deleted = %q, want none", got.LayoutID)
	}
	checkError(t, s.DeleteExperienceView(ctx, a.ID, layout.ID), weir.NotFound, "Experience view was not found")
}

func testFiles(t *testing.T, open func(t *testing.T) ViewStore) {
	s := open(t)
	ctx := t.Context()
	a := mustCreateApplication(t, s, &weir.Application{Name: "app"})
	other := mustCreateApplication(t, s, &weir.Application{Name: "other"})
	f := &weir.ApplicationFile{ApplicationID: a.ID, Name: "site.css", ParentDirectory: "css/deep", Type: weir.FileTypeFile}
	if err := s.CreateApplicationFile(ctx, f); err != nil {
		t.Fatalf("CreateApplicationFile: %v", err)
	}
	if f.Status != weir.FilePending || f.Path() != "/css/deep/site.css" {
		t.Errorf("new file status %q path %q, want pending at /css/deep/site.css", f.Status, f.Path())
	}
	dirs, n, err := s.FindApplicationFiles(ctx, weir.ApplicationFileFilter{ApplicationID: a.ID, Type: weir.FileTypeDirectory})
	if err != nil || n != 2 {
		t.Fatalf("directories = %d (%v), want css and css/deep created", n, err)
	}
	if _, _, err := s.ApplicationFileContent(ctx, a.ID, "/css/deep/site.css"); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Errorf("content of a pending file: %v, want NotFound", err)
	}
	got, err := s.SetApplicationFileContent(ctx, a.ID, f.ID, "text/css", []byte("body{}"))
	if err != nil || got.Status != weir.FileCompleted || got.FileSize != 6 {
		t.Fatalf("SetApplicationFileContent = %+v, %v", got, err)
	}
	_, content, err := s.ApplicationFileContent(ctx, a.ID, "css/deep/site.css")
	if err != nil || string(content) != "body{}" {
		t.Errorf("content = %q, %v", content, err)
	}
	if _, _, err := s.ApplicationFileContent(ctx, other.ID, "css/deep/site.css"); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Errorf("another application read the file: %v", err)
	}
	for _, bad := range []*weir.ApplicationFile{
		{ApplicationID: a.ID, Name: "..", Type: weir.FileTypeFile},
		{ApplicationID: a.ID, Name: "x", ParentDirectory: "/a/../b", Type: weir.FileTypeFile},
		{ApplicationID: a.ID, Name: "a/b", Type: weir.FileTypeFile},
		{ApplicationID: a.ID, Name: "x", ParentDirectory: "//", Type: weir.FileTypeFile},
		{ApplicationID: a.ID, Name: "site.css", ParentDirectory: "/css/deep/", Type: weir.FileTypeFile},
		{ApplicationID: a.ID, Name: "x", ParentDirectory: "/css/deep/site.css/", Type: weir.FileTypeFile},
	} {
		checkError(t, s.CreateApplicationFile(ctx, bad), weir.Validation, "")
	}
	keep := &weir.ApplicationFile{ApplicationID: a.ID, Name: "cssx", Type: weir.FileTypeFile}
	if err := s.CreateApplicationFile(ctx, keep); err != nil {
		t.Fatal(err)
	}
	css := dirs[0]
	if css.Name != "css" {
		css = dirs[1]
	}
	if err := s.DeleteApplicationFile(ctx, a.ID, css.ID); err != nil {
		t.Fatalf("DeleteApplicationFile(dir): %v", err)
	}
	left, n, _ := s.FindApplicationFiles(ctx, weir.ApplicationFileFilter{ApplicationID: a.ID})
	if n != 1 || left[0].ID != keep.ID {
		t.Errorf("after deleting /css %d files left, want only /cssx", n)
	}
	checkError(t, s.DeleteApplicationFile(ctx, a.ID, f.ID), weir.NotFound, "File was not found")

	v := &weir.ExperienceView{ApplicationID: a.ID, Name: "c", ViewType: weir.ViewComponent, Body: "x"}
	if err := s.CreateExperienceView(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteApplication(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, nf, _ := s.FindApplicationFiles(ctx, weir.ApplicationFileFilter{ApplicationID: a.ID})
	_, nv, _ := s.FindExperienceViews(ctx, weir.ExperienceViewFilter{ApplicationID: a.ID})
	if nf+nv != 0 {
		t.Errorf("after deleting the application %d files and %d views are left", nf, nv)
	}
}
