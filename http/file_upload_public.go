package http

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// FileUploadPath is where a browser posts a file's content without an API
// token, as it would to the S3 signed post Losant answers files.post with:
// POST /file-uploads/{applicationId}/{fileId}, a multipart form holding the
// upload's fields and the content in "file".
const FileUploadPath = "/file-uploads/"

// fileUploadTTL is how long an upload's signed fields stay valid.
const fileUploadTTL = time.Hour

// signedUpload returns the URL and fields of a signed upload of the file,
// or false when the server cannot sign (no Signer).
func (s *Server) signedUpload(r *http.Request, f *weir.ApplicationFile) (string, map[string]string, bool) {
	if s.Signer == nil || len(s.Signer.Key) == 0 {
		return "", nil, false
	}
	expires := strconv.FormatInt(s.now().Add(fileUploadTTL).Unix(), 10)
	return baseURL(r) + FileUploadPath + f.ApplicationID + "/" + f.ID, map[string]string{
		"key":       f.ApplicationID + f.Path(),
		"expires":   expires,
		"signature": s.uploadSignature(f.ApplicationID, f.ID, expires),
	}, true
}

// uploadSignature signs an upload of the file until expires (Unix
// seconds), with a key derived from the token signing key.
func (s *Server) uploadSignature(appID, fileID, expires string) string {
	k := hmac.New(sha256.New, s.Signer.Key)
	k.Write([]byte("weir file upload"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(appID + "\n" + fileID + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// baseURL is the scheme and host r was sent to.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// handleSignedUpload answers POST /file-uploads/{applicationId}/{fileId}:
// with the signed fields of files.post (or file.patch) still valid, the
// content is stored as file.upload stores it, and the answer is 204, as
// S3's. Wrong, missing or expired signatures are 403 and change nothing.
func (s *Server) handleSignedUpload(w http.ResponseWriter, r *http.Request) {
	if err := s.serveSignedUpload(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) serveSignedUpload(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return weir.Errorf(weir.MethodNotAllowed, "%s is not allowed", r.Method)
	}
	appID, fileID := strings.ToLower(r.PathValue("applicationId")), strings.ToLower(r.PathValue("fileId"))
	if s.Files == nil || s.Signer == nil || !weir.ValidID(appID) || !weir.ValidID(fileID) {
		return weir.Errorf(weir.NotFound, "File was not found")
	}
	form, err := s.readUpload(w, r)
	if err != nil {
		return err
	}
	expires, _ := strconv.ParseInt(form.fields["expires"], 10, 64)
	want := s.uploadSignature(appID, fileID, form.fields["expires"])
	if !hmac.Equal([]byte(want), []byte(form.fields["signature"])) || s.now().Unix() > expires {
		return weir.Errorf(weir.Forbidden, "The upload's signature is not valid or has expired")
	}
	if _, err := s.storeUpload(r, appID, fileID, form); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
