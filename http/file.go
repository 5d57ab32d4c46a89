package http

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"

	"github.com/weirhq/weir"
)

// handleFileGet answers GET /applications/{applicationId}/file/{fileId}.
func (s *Server) handleFileGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Files == nil {
		return errNoViewService
	}
	f, err := s.Files.FindApplicationFileByID(r.Context(), req.appID, req.fileID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFileResponse(f, req.links))
	return nil
}

// handleFilePatch answers PATCH …/file/{fileId} ("reupload") with 201 and
// where to send the new content; the old content is served until it
// arrives.
func (s *Server) handleFilePatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.decodeFileBody(req); err != nil {
		return err
	}
	if s.Files == nil {
		return errNoViewService
	}
	f, err := s.Files.FindApplicationFileByID(r.Context(), req.appID, req.fileID)
	if err != nil {
		return err
	}
	if f.Type != weir.FileTypeFile {
		return weir.Errorf(weir.Validation, "A directory cannot be uploaded")
	}
	writeJSON(w, http.StatusCreated, s.withUpload(newFileResponse(f, req.links), r))
	return nil
}

// handleFileDelete answers DELETE …/file/{fileId}: a file, or a directory
// with everything in it.
func (s *Server) handleFileDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Files == nil {
		return errNoViewService
	}
	if err := s.Files.DeleteApplicationFile(r.Context(), req.appID, req.fileID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// handleFileUpload answers POST …/file/{fileId}/upload: a multipart form
// whose "file" field is the content (at most Server.MaxFileSize bytes;
// other fields are ignored).
func (s *Server) handleFileUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Files == nil {
		return errNoViewService
	}
	if _, err := s.Files.FindApplicationFileByID(r.Context(), req.appID, req.fileID); err != nil {
		return err
	}
	form, err := s.readUpload(w, r)
	if err != nil {
		return err
	}
	f, err := s.storeUpload(r, req.appID, req.fileID, form)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFileResponse(f, req.links))
	return nil
}

// uploadForm is a read upload: its text fields, and the content and
// Content-Type of its "file" part.
type uploadForm struct {
	fields      map[string]string
	content     []byte
	contentType string
}

// readUpload reads a multipart upload; PayloadTooLarge past
// Server.MaxFileSize bytes of content.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (*uploadForm, error) {
	max := s.maxFileSize()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, weir.Errorf(weir.Validation, "file must be sent as multipart/form-data")
	}
	b, err := readBody(w, r, max+64<<10, "file")
	if err != nil {
		return nil, err
	}
	form := &uploadForm{fields: map[string]string{}}
	mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		v, err := io.ReadAll(io.LimitReader(p, max+1))
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		if p.FormName() != "file" {
			form.fields[p.FormName()] = string(v)
			continue
		}
		if int64(len(v)) > max {
			return nil, weir.Errorf(weir.PayloadTooLarge, "file is larger than %d bytes", max)
		}
		form.content, form.contentType = v, p.Header.Get("Content-Type")
		if form.content == nil {
			form.content = []byte{}
		}
	}
	if form.content == nil {
		return nil, weir.Errorf(weir.Validation, "file is required")
	}
	return form, nil
}

// storeUpload stores an upload's content as the file's. The content type
// is the part's, unless that is missing or application/octet-stream, then
// the form's Content-Type field (as S3 posts carry it), then the one given
// at creation, then the one the file name's extension implies.
func (s *Server) storeUpload(r *http.Request, appID, fileID string, form *uploadForm) (*weir.ApplicationFile, error) {
	f, err := s.Files.FindApplicationFileByID(r.Context(), appID, fileID)
	if err != nil {
		return nil, err
	}
	ct := form.contentType
	for _, next := range []string{form.fields["Content-Type"], f.ContentType, mime.TypeByExtension(path.Ext(f.Name)), "application/octet-stream"} {
		if ct != "" && ct != "application/octet-stream" {
			break
		}
		ct = next
	}
	return s.Files.SetApplicationFileContent(r.Context(), appID, fileID, ct, form.content)
}
