package http

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"

	"github.com/weirhq/weir"
)

// flowLinks are the resource links of a flow.
var flowLinks = map[string]string{
	"application": pathApplication,
	"flows":       pathFlows,
}

// flowResponse is a flow as the API returns it (schema flow.json). A nil
// defaultVersionId (develop) is omitted: the schema allows only ids.
type flowResponse struct {
	*weir.Flow
	FlowID           string  `json:"flowId"`
	DefaultVersionID *string `json:"defaultVersionId,omitempty"`
	Type             string  `json:"_type"`
	Links            links   `json:"_links,omitempty"`
}

func newFlowResponse(f *weir.Flow, withLinks bool) *flowResponse {
	c := *f
	c.Definition = responseDefinition(f.Definition)
	if c.Stats.ByVersion == nil {
		c.Stats.ByVersion = map[string]weir.VersionStats{}
	}
	return &flowResponse{
		Flow:             &c,
		FlowID:           f.ID,
		DefaultVersionID: f.DefaultVersionID,
		Type:             "flow",
		Links: linksFor(withLinks, pathFlow, flowLinks,
			"{applicationId}", f.ApplicationID, "{flowId}", f.ID),
	}
}

// responseDefinition returns a copy of d as responses carry it: JSON nulls
// dropped, globals never null.
func responseDefinition(d weir.Definition) weir.Definition {
	c := d
	c.Triggers = make([]weir.Trigger, len(d.Triggers))
	for i, t := range d.Triggers {
		t.Config, t.Meta = rawOrNil(t.Config), rawOrNil(t.Meta)
		c.Triggers[i] = t
	}
	c.Nodes = make([]weir.Node, len(d.Nodes))
	for i, n := range d.Nodes {
		n.Config, n.Meta = rawOrNil(n.Config), rawOrNil(n.Meta)
		c.Nodes[i] = n
	}
	c.Globals = nonNil(c.Globals)
	c.CustomNodeConfig = rawOrNil(c.CustomNodeConfig)
	return c
}

// handleFlowGet answers GET /applications/{applicationId}/flows/{flowId}.
func (s *Server) handleFlowGet(w http.ResponseWriter, r *http.Request, req *request) error {
	f, err := s.Flows.FindFlowByID(r.Context(), req.appID, req.flowID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFlowResponse(f, req.links))
	return nil
}

// handleFlowPatch answers PATCH …/flows/{flowId}: a read-modify-write of the
// flow and its develop version. Array fields replace the stored arrays
// wholesale; flowClass cannot change; new generated-key triggers get keys;
// defaultVersionId must name a version of the flow (null: develop).
func (s *Server) handleFlowPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "flow is the wrong type")
	}
	f, err := s.Flows.FindFlowByID(r.Context(), req.appID, req.flowID)
	if err != nil {
		return err
	}
	if err := applyFlowPatch(f, in); err != nil {
		return err
	}
	if _, ok := in["defaultVersionId"]; ok && f.DefaultVersionID != nil {
		v, err := s.findVersion(r, req, *f.DefaultVersionID)
		if weir.ErrorTypeOf(err) == weir.NotFound || err == nil && v.ID != *f.DefaultVersionID {
			return weir.Errorf(weir.Validation, "flow.defaultVersionId does not name a version of this flow")
		} else if err != nil {
			return err
		}
	}
	f.Definition.AssignTriggerKeys(f.ID)
	if err := f.Validate(); err != nil {
		return err
	}
	f.LastUpdatedByType, f.LastUpdatedByID = creator(req.identity)
	if err := s.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newFlowResponse(f, req.links))
	return nil
}

// applyFlowPatch sets each field present in the (schema-valid) patch on f.
func applyFlowPatch(f *weir.Flow, in map[string]json.RawMessage) error {
	var iconData *string
	fields := map[string]any{
		"name":                &f.Name,
		"description":         &f.Description,
		"shortDescription":    &f.ShortDescription,
		"iconData":            &iconData,
		"docsUrl":             &f.DocsURL,
		"category":            &f.Category,
		"enabled":             &f.Enabled,
		"triggers":            &f.Triggers,
		"nodes":               &f.Nodes,
		"globals":             &f.Globals,
		"minimumAgentVersion": &f.MinimumAgentVersion,
	}
	for name, raw := range in {
		switch name {
		case "defaultVersionId":
			var id *string
			if err := json.Unmarshal(raw, &id); err != nil {
				return weir.Errorf(weir.Validation, "flow.defaultVersionId is the wrong type")
			}
			if id != nil {
				*id = strings.ToLower(*id)
			}
			f.DefaultVersionID = id
		case "customNodeConfig":
			f.CustomNodeConfig = rawOrNil(raw)
		case "weir":
			// weir's own settings: the fields sent replace theirs, the
			// others stay (a client that knows none sends none).
			if err := json.Unmarshal(raw, &f.Weir); err != nil {
				return weir.Errorf(weir.Validation, "flow.weir is the wrong type")
			}
		default:
			dst, ok := fields[name]
			if !ok {
				return weir.Errorf(weir.Validation, "flow has additional properties")
			}
			reflect.ValueOf(dst).Elem().SetZero() // no stale array elements
			if err := json.Unmarshal(raw, dst); err != nil {
				return weir.Errorf(weir.Validation, "flow.%s is the wrong type", name)
			}
		}
	}
	if _, ok := in["iconData"]; ok {
		f.IconData = ""
		if iconData != nil {
			f.IconData = *iconData
		}
	}
	return nil
}

// handleFlowDelete answers DELETE …/flows/{flowId}; the store removes the
// flow's storage, logs and queued runs with it.
func (s *Server) handleFlowDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.Flows.DeleteFlow(r.Context(), req.appID, req.flowID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
