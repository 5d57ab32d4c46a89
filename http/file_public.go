package http

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/weirhq/weir"
)

// FilesPath is where browsers get an application's files:
// /files/{applicationId}/{path}, public like Losant's file URLs, so that
// the CSS, images and scripts an experience page references load.
const FilesPath = "/files/"

// FileURL returns the URL path of the application's file at p
// ("/images/logo.png"), each segment escaped.
func FileURL(applicationID, p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return FilesPath + applicationID + "/" + strings.Join(segs, "/")
}

// fileCSP is the Content-Security-Policy of every served file. It matters
// only where a browser renders the file as a document (an HTML or SVG file
// opened directly): sandboxed, it runs no script and has an origin of its
// own, so it can reach neither the API's origin nor its storage. Files a
// page includes (CSS, scripts, images) are not documents and load as usual.
const fileCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; media-src 'self'"

// documentTypes are the content types a browser would render as an active
// document; such files are also served as attachments.
var documentTypes = []string{"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}

// handleFileRequest answers GET and HEAD /files/{applicationId}/{path...}
// without an API token: the completed file's content, with its type,
// nosniff and the sandboxing policy, conditional and range requests served.
// Anything else is 404: unknown applications, paths with tricks ("..",
// "//", "\"), pending files and directories.
func (s *Server) handleFileRequest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, weir.Errorf(weir.MethodNotAllowed, "%s is not allowed", r.Method))
		return
	}
	appID := strings.ToLower(r.PathValue("applicationId"))
	p := r.PathValue("path")
	if s.Files == nil || !weir.ValidID(appID) {
		s.writeError(w, r, weir.Errorf(weir.NotFound, "File was not found"))
		return
	}
	f, content, err := s.Files.ApplicationFileContent(r.Context(), appID, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	h.Set("ETag", `"`+f.ID+"-"+f.LastUpdated.Format("20060102150405.000")+`"`)
	if mt, _, _ := mime.ParseMediaType(ct); isDocumentType(mt) {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	}
	http.ServeContent(w, r, "", f.LastUpdated, bytes.NewReader(content))
}

func isDocumentType(mt string) bool {
	for _, t := range documentTypes {
		if mt == t {
			return true
		}
	}
	return strings.HasSuffix(mt, "+xml") || mt == ""
}
