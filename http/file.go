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
	writeJSON(w, http.StatusCreated, withUpload(newFileResponse(f, req.links), r))
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
// other fields are ignored). The content type is the part's, unless that
// is missing or application/octet-stream, then the one given at creation,
// then the one the file name's extension implies.
func (s *Server) handleFileUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Files == nil {
		return errNoViewService
	}
	f, err := s.Files.FindApplicationFileByID(r.Context(), req.appID, req.fileID)
	if err != nil {
		return err
	}
	max := s.maxFileSize()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return weir.Errorf(weir.Validation, "file must be sent as multipart/form-data")
	}
	b, err := readBody(w, r, max+64<<10, "file")
	if err != nil {
		return err
	}
	content, partType, err := multipartFile(b, params["boundary"], max)
	if err != nil {
		return err
	}
	ct := partType
	if ct == "" || ct == "application/octet-stream" {
		ct = f.ContentType
	}
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(f.Name))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	if f, err = s.Files.SetApplicationFileContent(r.Context(), req.appID, req.fileID, ct, content); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFileResponse(f, req.links))
	return nil
}

// multipartFile returns the content and Content-Type of the "file" part of
// a multipart body; PayloadTooLarge past max bytes.
func multipartFile(b []byte, boundary string, max int64) ([]byte, string, error) {
	mr := multipart.NewReader(bytes.NewReader(b), boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", weir.Errorf(weir.Validation, "file is required")
		}
		if err != nil {
			return nil, "", weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		if p.FormName() != "file" {
			continue
		}
		content, err := io.ReadAll(io.LimitReader(p, max+1))
		if err != nil {
			return nil, "", weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		if int64(len(content)) > max {
			return nil, "", weir.Errorf(weir.PayloadTooLarge, "file is larger than %d bytes", max)
		}
		return content, p.Header.Get("Content-Type"), nil
	}
}
