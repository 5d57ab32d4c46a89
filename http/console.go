package http

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// ConsolePath is where the console is served when Server.Console is set.
const ConsolePath = "/console/"

// consoleCSP lets the console load only its own files and talk only to this
// server: no inline script, no third-party origin, no framing.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// consoleHandler serves the console's files from fsys: index.html at
// /console/, each asset below it. Assets with a content hash in their name
// are cached for good; index.html is checked on every load.
func consoleHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		name := strings.TrimPrefix(r.URL.Path, ConsolePath)
		if name == "" || name == "index.html" {
			h.Set("Cache-Control", "no-cache")
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/"
			files.ServeHTTP(w, r2)
			return
		}
		if _, err := fs.Stat(fsys, path.Clean(name)); err != nil {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		if hashed(name) {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}

// hashed reports whether an asset's name carries a content hash
// ("main-ABCD1234.js"), which the build gives to scripts and styles.
func hashed(name string) bool {
	base, _, _ := strings.Cut(path.Base(name), ".")
	i := strings.LastIndexByte(base, '-')
	return i > 0 && len(base)-i-1 == 8
}
