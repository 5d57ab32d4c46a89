package http

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/appfile"
)

// Limits of POST /applications/import.
const (
	// MaxImportBundleBytes is the largest import bundle (the zip) accepted;
	// appfile.ZipFS limits its entries and unzipped size.
	MaxImportBundleBytes = 64 << 20
)

// applicationImportResponse answers an import: the new application and
// what the import created, skipped and could not keep.
type applicationImportResponse struct {
	Application *applicationResponse `json:"application"`
	Report      *appfile.Report      `json:"importReport"`
}

// handleApplicationsImport answers POST /applications/import: a multipart
// form whose importBundle is a zip of an application export or template
// directory (application.yaml at its root, or in its one top folder). The
// application and each resource weir serves are created through this
// server's own routes, as the caller, the way weir app import does; the
// answer lists what was created and what was skipped and why. As Losant's,
// devices, data table rows and files are imported only when the form's
// includeDevices, includeDataTableRows or includeFiles is set; email (a
// notification when a queued import ends) is ignored: the import is done
// when the answer comes. A bundle that
// is not a zip or holds no application.yaml changes nothing.
func (s *Server) handleApplicationsImport(w http.ResponseWriter, r *http.Request, req *request) error {
	bundle, err := readImportBundle(w, r)
	if err != nil {
		return err
	}
	if t := r.FormValue("ownerType"); t != "" && t != weir.OwnerUser {
		return weir.Errorf(weir.Validation, "ownerType %s is not supported: weir has no organizations", t)
	}
	if id := r.FormValue("ownerId"); id != "" && !strings.EqualFold(id, req.identity.OwnerID) {
		return weir.Errorf(weir.Validation, "ownerId must be the caller's own id: weir imports for the caller only")
	}
	tpl, err := appfile.Read(bundle)
	if err != nil {
		return weir.Errorf(weir.Validation, "importBundle: %s", strings.TrimPrefix(err.Error(), "appfile: "))
	}
	token := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer"))
	im := &appfile.Importer{Client: &appfile.Client{Handler: s.Handler(), Token: token}, Fields: SchemaFields, Leave: map[string]string{}}
	// As Losant's, the import takes devices, data table rows and files only
	// when asked to.
	for field, kind := range map[string]string{"includeDevices": appfile.KindDevice, "includeDataTableRows": appfile.KindDataTableRow, "includeFiles": appfile.KindFile} {
		if v := r.FormValue(field); v == "" || v == "false" || v == "0" {
			im.Leave[kind] = field + " is not set"
		}
	}
	rep, err := im.Import(r.Context(), tpl)
	if err != nil {
		return err
	}
	rep.Skipped = append(tpl.Ignored, rep.Skipped...)
	a, err := s.Applications.FindApplicationByID(r.Context(), rep.ApplicationID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, &applicationImportResponse{Application: newApplicationResponse(a, req.links), Report: rep})
	return nil
}

// readImportBundle reads the importBundle file of a multipart request as a
// template directory (appfile.ZipFS).
func readImportBundle(w http.ResponseWriter, r *http.Request) (fs.FS, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBundleBytes+1<<20)
	var b []byte
	f, _, err := r.FormFile("importBundle")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, weir.Errorf(weir.Validation, "importBundle must be at most %d bytes", MaxImportBundleBytes)
	case errors.Is(err, http.ErrMissingFile) && r.MultipartForm != nil && len(r.MultipartForm.Value["importBundle"]) > 0:
		// A part without a file name (a client appending bytes) is a value.
		b = []byte(r.MultipartForm.Value["importBundle"][0])
	case err != nil:
		return nil, weir.Errorf(weir.Validation, "importBundle is required: a multipart form with the zip as its importBundle file")
	default:
		defer f.Close()
		if b, err = io.ReadAll(io.LimitReader(f, MaxImportBundleBytes+1)); err != nil {
			return nil, weir.Errorf(weir.Validation, "importBundle could not be read")
		}
	}
	if len(b) > MaxImportBundleBytes {
		return nil, weir.Errorf(weir.Validation, "importBundle must be at most %d bytes", MaxImportBundleBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "importBundle is not a zip file")
	}
	bundle, err := appfile.ZipFS(zr)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "importBundle %s", strings.TrimPrefix(err.Error(), appfile.ErrNotTemplateZip.Error()+": "))
	}
	return bundle, nil
}
