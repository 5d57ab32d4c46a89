package http

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/flowfile"
)

// flowsImportResponse is the answer to a flows import (schema
// flowsImportResult.json).
type flowsImportResponse struct {
	Flows                []*flowResponse   `json:"flows"`
	FlowVersions         []any             `json:"flowVersions"`
	ImportedFlowIDMap    map[string]string `json:"importedFlowIdMap"`
	ImportedVersionIDMap map[string]string `json:"importedVersionIdMap"`
}

// handleFlowsImport answers POST /applications/{applicationId}/flows/import.
// Every flow gets a new id; references to the old ids in trigger keys and
// node configs are rewritten to the new ones (see flowfile.Remap). Flows are
// disabled unless the body says "enabled": true. The import is all or
// nothing: one invalid flow answers 400 and stores none. Flow versions are
// not stored by weir yet, so a body with flowVersions is refused with 400
// rather than imported in part.
func (s *Server) handleFlowsImport(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Flows        []json.RawMessage `json:"flows"`
		FlowVersions []json.RawMessage `json:"flowVersions"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "flows is the wrong type")
	}
	if len(in.FlowVersions) > 0 {
		return weir.Errorf(weir.Validation, "flow versions are not supported yet")
	}
	resp := &flowsImportResponse{
		Flows:                []*flowResponse{},
		FlowVersions:         []any{},
		ImportedFlowIDMap:    map[string]string{},
		ImportedVersionIDMap: map[string]string{},
	}
	if len(in.Flows) == 0 {
		writeJSON(w, http.StatusCreated, resp)
		return nil
	}
	file, err := flowfile.Parse(req.body)
	if err != nil {
		return weir.Errorf(weir.Validation, "flows is invalid")
	}
	ids, err := file.Remap(req.appID, weir.NewID)
	if err != nil {
		return weir.Errorf(weir.Validation, "flows contains the same id twice")
	}
	typ, id := creator(req.identity)
	for i, f := range file.Flows {
		f.ApplicationID = req.appID
		f.CreatedByType, f.CreatedByID = typ, id
		f.LastUpdatedByType, f.LastUpdatedByID = typ, id
		f.Definition.AssignTriggerKeys(f.ID)
		if err := f.Validate(); err != nil {
			return weir.Errorf(weir.Validation, "flows.%d: %s", i, weir.ErrorMessage(err))
		}
	}
	if err := s.createFlows(r.Context(), file.Flows); err != nil {
		return err
	}
	for _, f := range file.Flows {
		resp.Flows = append(resp.Flows, newFlowResponse(f, req.links))
	}
	resp.ImportedFlowIDMap = ids.Flows
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// createFlows stores flows one by one; when one fails it deletes those
// already stored, so that an import is all or nothing unless the deletes
// fail too. (FlowService has no way to create many flows in one
// transaction yet.)
func (s *Server) createFlows(ctx context.Context, flows []*weir.Flow) error {
	for i, f := range flows {
		err := s.Flows.CreateFlow(ctx, f)
		if err == nil {
			continue
		}
		for _, done := range flows[:i] {
			if derr := s.Flows.DeleteFlow(context.WithoutCancel(ctx), done.ApplicationID, done.ID); derr != nil {
				s.logger().Error("http: flows import: roll back", "flow_id", done.ID, "err", derr)
			}
		}
		return err
	}
	return nil
}
