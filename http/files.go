package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// fileListParams are files.get's query parameters.
var fileListParams = []queryParam{
	{name: "sortField", kind: paramEnum, def: "lastUpdated", enum: []string{"lastUpdated", "type", "name", "creationDate"}},
	{name: "sortDirection", kind: paramEnum, def: "asc", enum: []string{"asc", "desc"}},
	{name: "page", kind: paramInt, def: "0", min: 0, max: 1 << 31},
	{name: "perPage", kind: paramInt, def: "100", min: 1, max: 1000},
	{name: "filterField", kind: paramEnum, enum: []string{"name"}},
	{name: "filter", kind: paramString},
	{name: "type", kind: paramEnum, enum: []string{weir.FileTypeFile, weir.FileTypeDirectory}},
	{name: "status", kind: paramEnum, enum: []string{weir.FileCompleted, weir.FilePending}},
	{name: "directory", kind: paramString},
}

// filesResponse is a page of an application's files.
type filesResponse struct {
	Items []*fileResponse `json:"items"`
	listPage
	ParentExists  bool   `json:"parentExists"`
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// fileResponse is a file as the API returns it: URL is where browsers get
// it (FilesPath), Upload where its content goes (files.post and
// file.patch only).
type fileResponse struct {
	*weir.ApplicationFile
	URL    string      `json:"url,omitempty"`
	Upload *fileUpload `json:"upload,omitempty"`
	Type   string      `json:"_type"`
	Links  links       `json:"_links,omitempty"`
}

// fileUpload tells a client where to send a file's content, as Losant's
// S3 signed post does: POST url a multipart form of the fields and the
// content in "file", no token needed (FileUploadPath). A server without a
// Signer answers its file.upload action instead, which needs the token.
type fileUpload struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

func newFileResponse(f *weir.ApplicationFile, withLinks bool) *fileResponse {
	resp := &fileResponse{ApplicationFile: f, Type: "file",
		Links: linksFor(withLinks, pathFile, map[string]string{"application": pathApplication, "files": pathFiles},
			"{applicationId}", f.ApplicationID, "{fileId}", f.ID)}
	if f.Type == weir.FileTypeFile {
		resp.URL = FileURL(f.ApplicationID, f.Path())
	}
	return resp
}

// withUpload adds the upload instructions of a file to resp.
func (s *Server) withUpload(resp *fileResponse, r *http.Request) *fileResponse {
	if resp.ApplicationFile.Type != weir.FileTypeFile {
		return resp
	}
	if url, fields, ok := s.signedUpload(r, resp.ApplicationFile); ok {
		resp.Upload = &fileUpload{URL: url, Fields: fields}
		return resp
	}
	resp.Upload = &fileUpload{URL: baseURL(r) + "/applications/" + resp.ApplicationID + "/file/" + resp.ID + "/upload",
		Fields: map[string]string{"key": resp.ApplicationID + resp.Path()}}
	return resp
}

// fileBody is a schema-valid filePost or filePatch body.
type fileBody struct {
	Name            string   `json:"name"`
	ParentDirectory string   `json:"parentDirectory"`
	Type            string   `json:"type"`
	FileSize        *float64 `json:"fileSize"`
	ContentType     string   `json:"contentType"`
}

// decodeFileBody decodes a file body and checks its announced size.
func (s *Server) decodeFileBody(req *request) (*fileBody, error) {
	var in fileBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "file is the wrong type")
	}
	if in.FileSize != nil && (*in.FileSize < 0 || *in.FileSize > float64(s.maxFileSize())) {
		return nil, weir.Errorf(weir.PayloadTooLarge, "fileSize must be at most %d bytes", s.maxFileSize())
	}
	return &in, nil
}

func (s *Server) maxFileSize() int64 {
	if s.MaxFileSize > 0 {
		return s.MaxFileSize
	}
	return weir.DefaultMaxFileSize
}

// handleFilesGet answers GET /applications/{applicationId}/files.
func (s *Server) handleFilesGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Files == nil {
		return errNoViewService
	}
	opts := listOptions(req.query)
	filter := weir.ApplicationFileFilter{ApplicationID: req.appID, Type: req.query["type"], Status: req.query["status"],
		ListOptions: opts}
	parentExists := true
	if d, ok := r.URL.Query()["directory"]; ok {
		dir, err := weir.CleanFileDirectory(d[0])
		if err != nil {
			return err
		}
		filter.Directory = dir
		parentExists = dir == "/" || s.directoryExists(r, req.appID, dir)
	}
	fs, total, err := s.Files.FindApplicationFiles(r.Context(), filter)
	if err != nil {
		return err
	}
	resp := &filesResponse{
		Items:         make([]*fileResponse, 0, len(fs)),
		listPage:      newListPage(len(fs), total, opts),
		ParentExists:  parentExists,
		ApplicationID: req.appID,
		Type:          "files",
		Links:         linksFor(req.links, pathFiles, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, f := range fs {
		resp.Items = append(resp.Items, newFileResponse(f, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// directoryExists reports whether the application has the directory dir
// ("/a/b/").
func (s *Server) directoryExists(r *http.Request, appID, dir string) bool {
	segs, err := weir.SplitFilePath(dir)
	if err != nil || len(segs) == 0 {
		return err == nil
	}
	parent, _ := weir.CleanFileDirectory(dir[:len(dir)-len(segs[len(segs)-1])-1])
	_, n, err := s.Files.FindApplicationFiles(r.Context(), weir.ApplicationFileFilter{ApplicationID: appID, Directory: parent,
		Type: weir.FileTypeDirectory, ListOptions: weir.ListOptions{Filter: segs[len(segs)-1], FilterField: "name", PerPage: 1}})
	return err == nil && n > 0
}

// handleFilesPost answers POST /applications/{applicationId}/files with 201:
// a directory, or a pending file and where to upload its content.
func (s *Server) handleFilesPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := s.decodeFileBody(req)
	if err != nil {
		return err
	}
	if s.Files == nil {
		return errNoViewService
	}
	f := &weir.ApplicationFile{ApplicationID: req.appID, Name: in.Name, ParentDirectory: in.ParentDirectory, Type: in.Type,
		ContentType: in.ContentType}
	if err := s.Files.CreateApplicationFile(r.Context(), f); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.withUpload(newFileResponse(f, req.links), r))
	return nil
}
