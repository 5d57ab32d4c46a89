package http_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	weirhttp "github.com/weirhq/weir/http"
)

// newViewHarness is a harness whose server also serves views and files
// (from a memViews), files of at most maxFile bytes.
func newViewHarness(t *testing.T, maxFile int64) (*harness, *memViews) {
	h, views, _ := newViewHarnessClock(t, maxFile)
	return h, views
}

// newViewHarnessClock is newViewHarness with the server's clock, which the
// test may move.
func newViewHarnessClock(t *testing.T, maxFile int64) (*harness, *memViews, *time.Time) {
	t.Helper()
	h := &harness{t: t, userID: weir.NewID()}
	clock := testNow
	now := func() time.Time { return clock }
	h.store = newMemStore(now)
	h.signer = &auth.Signer{Key: []byte("test key test key test key 12345"), Now: now}
	views := newMemViews(now)
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Versions = h.store, h.store, h.store
	s.Tokens = &weirhttp.TokenCache{Tokens: h.store, Now: now}
	s.Storage, s.Logs, s.Runs = h.store, h.store, h.store
	s.Signer, s.Now = h.signer, now
	s.Views, s.Files, s.ExperienceVersions, s.MaxFileSize = views, views, views, maxFile
	h.srv = httptest.NewServer(s.Handler())
	t.Cleanup(h.srv.Close)
	h.user = h.token(weir.OwnerUser, h.userID, "all.User")
	h.appA, h.appB = h.mustApp("App A"), h.mustApp("App B")
	h.tokA = h.token(weir.OwnerApplication, h.appA, "all.Application")
	return h, views, &clock
}

// upload posts content as the "file" field of a multipart form.
func (h *harness) upload(path, token, contentType string, content []byte) (int, []byte) {
	return h.uploadForm(path, token, nil, contentType, content)
}

// uploadForm posts fields and then content as the "file" field of a
// multipart form.
func (h *harness) uploadForm(path, token string, fields map[string]any, contentType string, content []byte) (int, []byte) {
	h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v.(string))
	}
	header := make(map[string][]string)
	header["Content-Disposition"] = []string{`form-data; name="file"; filename="x"`}
	if contentType != "" {
		header["Content-Type"] = []string{contentType}
	}
	part, err := w.CreatePart(header)
	if err != nil {
		h.t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	resp := h.send("POST", path, token, body.Bytes(), http.Header{"Content-Type": {w.FormDataContentType()}})
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestFileUpload(t *testing.T) {
	h, views := newViewHarness(t, 10)
	base := "/applications/" + h.appA
	code, body := h.do("POST", base+"/files", h.tokA, map[string]any{"name": "a.txt", "type": "file"})
	if code != 201 {
		t.Fatalf("files.post = %d %s", code, body)
	}
	mustConform(t, "fileUploadPostResponse", body)
	id := decode(t, body)["id"].(string)

	t.Run("ErrTooLarge", func(t *testing.T) {
		code, body := h.upload(base+"/file/"+id+"/upload", h.tokA, "", []byte("01234567890"))
		wantError(t, code, body, 413, weir.PayloadTooLarge, "")
		if views.Files[id].Status != weir.FilePending {
			t.Error("a refused upload changed the file")
		}
	})
	t.Run("ErrNotMultipart", func(t *testing.T) {
		code, body := h.do("POST", base+"/file/"+id+"/upload", h.tokA, map[string]any{"file": "x"})
		wantError(t, code, body, 400, weir.Validation, "")
	})
	t.Run("ErrOtherApplication", func(t *testing.T) {
		code, body := h.upload("/applications/"+h.appB+"/file/"+id+"/upload", h.user, "", []byte("x"))
		wantError(t, code, body, 404, weir.NotFound, "File was not found")
	})
	t.Run("OK", func(t *testing.T) {
		code, body := h.upload(base+"/file/"+id+"/upload", h.tokA, "", []byte("0123456789"))
		if code != 200 {
			t.Fatalf("upload = %d %s", code, body)
		}
		mustConform(t, "file", body)
		f := views.Files[id]
		if f.Status != weir.FileCompleted || f.FileSize != 10 || f.ContentType != "text/plain; charset=utf-8" {
			t.Errorf("file after upload = %+v, want completed, 10 bytes, its extension's type", f)
		}
	})
	t.Run("ErrFileSizeAnnounced", func(t *testing.T) {
		code, body := h.do("POST", base+"/files", h.tokA, map[string]any{"name": "b", "type": "file", "fileSize": 11})
		wantError(t, code, body, 413, weir.PayloadTooLarge, "")
	})
}

func TestSignedUpload(t *testing.T) {
	h, views, clock := newViewHarnessClock(t, 1<<20)
	code, body := h.do("POST", "/applications/"+h.appA+"/files", h.tokA, map[string]any{"name": "s.css", "type": "file"})
	if code != 201 {
		t.Fatalf("files.post = %d %s", code, body)
	}
	resp := decode(t, body)
	id := resp["id"].(string)
	upload := resp["upload"].(map[string]any)
	url := strings.TrimPrefix(upload["url"].(string), h.srv.URL)
	fields := upload["fields"].(map[string]any)
	if url != "/file-uploads/"+h.appA+"/"+id || fields["signature"] == nil {
		t.Fatalf("upload = %v, want a signed post to weir's upload path", upload)
	}
	tampered := map[string]any{}
	for k, v := range fields {
		tampered[k] = v
	}
	tampered["expires"] = "99999999999"
	code, body = h.uploadForm(url, "", tampered, "text/css", []byte("a{}"))
	wantError(t, code, body, 403, weir.Forbidden, "")
	code, body = h.uploadForm("/file-uploads/"+h.appA+"/"+weir.NewID(), "", fields, "text/css", []byte("a{}"))
	wantError(t, code, body, 403, weir.Forbidden, "")
	if views.Files[id].Status != weir.FilePending {
		t.Fatal("a refused upload changed the file")
	}
	code, body = h.uploadForm(url, "", fields, "text/css", []byte("a{}"))
	if code != 204 || views.Contents[id] != "a{}" || views.Files[id].ContentType != "text/css" {
		t.Fatalf("signed upload = %d %s; file %+v", code, body, views.Files[id])
	}
	*clock = clock.Add(fileUploadTTL + time.Second)
	code, body = h.uploadForm(url, "", fields, "text/css", []byte("b{}"))
	wantError(t, code, body, 403, weir.Forbidden, "")
}

// fileUploadTTL is how long a signed upload stays valid.
const fileUploadTTL = time.Hour

func TestFilesServed(t *testing.T) {
	h, views := newViewHarness(t, 1<<20)
	ctx := t.Context()
	for _, f := range []struct{ name, ct, content string }{
		{"site.css", "text/css", "body{}"}, {"page.html", "text/html", "<script>x</script>"}, {"pic.svg", "image/svg+xml", "<svg/>"},
	} {
		file := &weir.ApplicationFile{ApplicationID: h.appA, Name: f.name, ParentDirectory: "/d/", Type: weir.FileTypeFile}
		if err := views.CreateApplicationFile(ctx, file); err != nil {
			t.Fatal(err)
		}
		if _, err := views.SetApplicationFileContent(ctx, h.appA, file.ID, f.ct, []byte(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	pending := &weir.ApplicationFile{ApplicationID: h.appA, Name: "pending.css", Type: weir.FileTypeFile}
	if err := views.CreateApplicationFile(ctx, pending); err != nil {
		t.Fatal(err)
	}

	get := func(method, path string) *http.Response {
		t.Helper()
		resp := h.send(method, path, "", nil, nil)
		resp.Body.Close()
		return resp
	}
	css := get("GET", "/files/"+h.appA+"/d/site.css")
	if css.StatusCode != 200 || css.Header.Get("Content-Type") != "text/css" || css.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(css.Header.Get("Content-Security-Policy"), "sandbox") || css.Header.Get("Content-Disposition") != "" {
		t.Errorf("CSS: %d %v", css.StatusCode, css.Header)
	}
	for _, name := range []string{"page.html", "pic.svg"} {
		resp := get("GET", "/files/"+h.appA+"/d/"+name)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d %v, want an attachment", name, resp.StatusCode, resp.Header)
		}
	}
	for _, path := range []string{
		"/files/" + h.appB + "/d/site.css",        // another application
		"/files/" + h.appA + "/d%2F..%2Fsite.css", // an encoded ..
		"/files/" + h.appA + "/d%2F%2Fsite.css",   // an empty segment
		"/files/" + h.appA + "/d",                 // a directory
		"/files/" + h.appA + "/pending.css",       // no content yet
		"/files/not-an-id/d/site.css",
	} {
		if resp := get("GET", path); resp.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if resp := get("DELETE", "/files/"+h.appA+"/d/site.css"); resp.StatusCode != 405 {
		t.Errorf("DELETE a served file = %d, want 405", resp.StatusCode)
	}
}

func TestViewsConform(t *testing.T) {
	h, _ := newViewHarness(t, 0)
	base := "/applications/" + h.appA + "/experience"
	code, body := h.do("POST", base+"/views", h.tokA, map[string]any{"name": "main", "viewType": "layout", "body": "{{page}}"})
	if code != 201 {
		t.Fatalf("experienceViews.post = %d %s", code, body)
	}
	mustConform(t, "experienceView", body)
	layout := decode(t, body)["id"].(string)
	code, body = h.do("POST", base+"/views", h.tokA, map[string]any{"name": "p", "viewType": "page", "body": "x", "layoutId": layout,
		"headers": map[string]string{"Content-Type": "text/html"}})
	if code != 201 || decode(t, body)["layoutId"] != layout {
		t.Fatalf("page post = %d %s", code, body)
	}
	code, body = h.do("POST", base+"/views", h.tokA, map[string]any{"name": "c", "viewType": "component", "body": "x", "layoutId": layout})
	wantError(t, code, body, 400, weir.Validation, "")
	code, body = h.do("POST", base+"/views", h.tokA, map[string]any{"name": "h", "viewType": "page", "body": "x",
		"headers": map[string]string{"Bad Header": "x"}})
	wantError(t, code, body, 400, weir.Validation, "")
	code, body = h.do("GET", base+"/views", h.tokA, nil)
	if code != 200 {
		t.Fatalf("experienceViews.get = %d", code)
	}
	mustConform(t, "experienceViews", body)
	code, body = h.do("GET", base+"/versions/develop", h.tokA, nil)
	if code != 200 {
		t.Fatalf("experienceVersion.get = %d", code)
	}
	mustConform(t, "experienceVersion", body)
	if id := decode(t, body)["id"]; id == h.appA || id != weir.DevelopVersionID(h.appA) {
		t.Errorf("develop's id = %v, want one of its own, never the application's", id)
	}
	code, body = h.do("PATCH", base+"/versions/develop", h.tokA, map[string]any{"endpointDefaultCors": true, "description": "d"})
	if code != 200 || decode(t, body)["endpointDefaultCors"] != true || decode(t, body)["description"] != "d" {
		t.Fatalf("experienceVersion.patch = %d %s", code, body)
	}
	code, body = h.do("PATCH", base+"/versions/develop", h.tokA, map[string]any{"sourceVersionIdOrName": "v1"})
	wantError(t, code, body, 400, weir.Validation, "")
	code, body = h.do("DELETE", base+"/versions/develop", h.tokA, nil)
	wantError(t, code, body, 400, weir.Validation, "")
	code, body = h.do("GET", base+"/versions/v2", h.tokA, nil)
	wantError(t, code, body, 404, weir.NotFound, "")
	code, body = h.do("GET", base+"/versions", h.tokA, nil)
	if code != 200 {
		t.Fatalf("experienceVersions.get = %d", code)
	}
	mustConform(t, "experienceVersions", body)
}
