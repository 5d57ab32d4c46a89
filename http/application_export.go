package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/appfile"
)

// applicationExport is the body of application.export (Losant's
// applicationExportPost): what to include beyond the application's
// definitions, and where the result goes.
type applicationExport struct {
	IncludeFiles         bool `json:"includeFiles"`
	IncludeDataTableRows bool `json:"includeDataTableRows"`
	IncludeDevices       bool `json:"includeDevices"`
	exportDestination
}

// handleApplicationExport answers application.export (POST
// /applications/{applicationId}/export) like the other exports: 202 at
// once, then a zip of the application as a template directory, the one
// weir app export writes (appfile.WriteZip), stored under ExportDirectory
// as application-{name}-{jobId}.zip. As Losant's, the export holds devices,
// data table rows and files only when the body asks for them; the files of
// ExportDirectory are never in it. The job reads the application through
// the API's own routes, in process, as the application itself (all of it
// and nothing else), so that what it writes does not depend on the
// caller's token scopes or on the token living until the job ends.
func (s *Server) handleApplicationExport(w http.ResponseWriter, r *http.Request, req *request) error {
	var in applicationExport
	if len(req.body) > 0 {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "options is the wrong type")
		}
	}
	if err := in.check(s); err != nil {
		return err
	}
	appID := req.appID
	return s.startExport(w, r, req, in.exportDestination, "application-"+exportFileName(req.app.Name), "zip", func(ctx context.Context) (*exportFile, error) {
		tpl, _, err := (&appfile.Exporter{Client: &appfile.Client{Handler: s.asApplication(appID)}}).Export(ctx, appID)
		if err != nil {
			return nil, err
		}
		LeaveExports(tpl)
		kept := tpl.Resources[:0]
		for _, res := range tpl.Resources {
			switch {
			case res.Kind == appfile.KindDevice && !in.IncludeDevices, res.Kind == appfile.KindFile && !in.IncludeFiles:
				continue
			case res.Kind == appfile.KindDataTable && !in.IncludeDataTableRows:
				res.Rows = nil
			}
			kept = append(kept, res)
		}
		tpl.Resources = kept
		var buf bytes.Buffer
		if err := appfile.WriteZip(&buf, tpl); err != nil {
			return nil, err
		}
		if int64(buf.Len()) > s.maxFileSize() {
			return nil, weir.Errorf(weir.PayloadTooLarge, "the application's export is %d bytes, over the %d bytes of one file", buf.Len(), s.maxFileSize())
		}
		return &exportFile{content: buf.Bytes(), contentType: "application/zip", count: 1 + len(tpl.Resources)}, nil
	})
}

// LeaveExports takes ExportDirectory and the files in it out of an
// exported application: earlier exports, which neither application.export
// nor weir app export carries.
func LeaveExports(tpl *appfile.Template) {
	tpl.Resources = slices.DeleteFunc(tpl.Resources, func(res *appfile.Resource) bool {
		if res.Kind != appfile.KindFile {
			return false
		}
		parent, _ := res.Doc["parentDirectory"].(string)
		name, _ := res.Doc["name"].(string)
		return strings.HasPrefix(parent, ExportDirectory) || parent+name+"/" == ExportDirectory
	})
}

// asApplication returns s's handler acting on every request as an
// internal principal of the application (scope all.Application, as the
// Losant API node's calls do): it reaches that application and nothing
// else, and is no token anyone could present.
func (s *Server) asApplication(appID string) http.Handler {
	h := s.Handler()
	id := &weir.Identity{OwnerType: weir.OwnerApplication, OwnerID: appID, Scope: []string{"all.Application"}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, &internalCall{identity: id})))
	})
}
