package http

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weirhq/weir"
)

// errNoViewService is the internal error of view and file routes served
// without their services.
var errNoViewService = errors.New("http: Server.Views or Files is not set")

// viewListParams are experienceViews.get's query parameters.
var viewListParams = append(listParams([]string{"name", "id", "creationDate", "lastUpdated"}, []string{"name"}),
	queryParam{name: "viewType", kind: paramEnum, enum: []string{weir.ViewPage, weir.ViewLayout, weir.ViewComponent}},
	versionParam)

// versionParam is the experience version a view action reads or writes:
// weir keeps the develop version only.
var versionParam = queryParam{name: "version", kind: paramString, def: weir.DevelopVersion}

// viewsResponse is a page of an application's views.
type viewsResponse struct {
	Items []*viewResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	ViewType      string `json:"viewType,omitempty"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// viewResponse is a view as the API returns it.
type viewResponse struct {
	*weir.ExperienceView
	ExperienceViewID string  `json:"experienceViewId"`
	LayoutID         *string `json:"layoutId"`
	Type             string  `json:"_type"`
	Links            links   `json:"_links,omitempty"`
}

func newViewResponse(v *weir.ExperienceView, withLinks bool) *viewResponse {
	resp := &viewResponse{ExperienceView: v, ExperienceViewID: v.ID, Type: "experienceView",
		Links: linksFor(withLinks, pathView, map[string]string{"application": pathApplication, "experienceViews": pathViews},
			"{applicationId}", v.ApplicationID, "{experienceViewId}", v.ID)}
	if v.ViewType == weir.ViewPage {
		resp.LayoutID = new(string)
		*resp.LayoutID = v.LayoutID
		if v.LayoutID == "" {
			resp.LayoutID = nil
		}
	}
	if v.ViewTags == nil {
		v.ViewTags = map[string]string{}
	}
	return resp
}

// viewBody is a schema-valid experienceViewPost or experienceViewPatch
// body; absent fields are nil.
type viewBody struct {
	Name        *string            `json:"name"`
	Description *string            `json:"description"`
	ViewType    *string            `json:"viewType"`
	LayoutID    json.RawMessage    `json:"layoutId"` // a string or null
	Body        *string            `json:"body"`
	ViewTags    *map[string]string `json:"viewTags"`
	Headers     *map[string]string `json:"headers"`
}

func decodeViewBody(req *request) (*viewBody, error) {
	var in viewBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "experienceView is the wrong type")
	}
	return &in, nil
}

// apply sets the fields present in b on v.
func (b *viewBody) apply(v *weir.ExperienceView) error {
	for _, f := range []struct {
		src *string
		dst *string
	}{{b.Name, &v.Name}, {b.Description, &v.Description}, {b.Body, &v.Body}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if b.ViewTags != nil {
		v.ViewTags = *b.ViewTags
	}
	if b.Headers != nil {
		v.Headers = *b.Headers
	}
	if len(b.LayoutID) > 0 {
		var id *string
		if err := json.Unmarshal(b.LayoutID, &id); err != nil {
			return weir.Errorf(weir.Validation, "experienceView.layoutId is the wrong type")
		}
		v.LayoutID = ""
		if id != nil {
			v.LayoutID = *id
		}
		if v.LayoutID != "" && v.ViewType != weir.ViewPage {
			return weir.Errorf(weir.Validation, "experienceView.layoutId is allowed on pages only")
		}
	}
	return nil
}

// checkDevelop refuses experience versions other than develop, the only
// one weir keeps.
func checkDevelop(req *request) error {
	if v := req.query["version"]; v != "" && v != weir.DevelopVersion {
		return weir.Errorf(weir.NotFound, "Experience version was not found")
	}
	return nil
}

// handleViewsGet answers GET /applications/{applicationId}/experience/views.
func (s *Server) handleViewsGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Views == nil {
		return errNoViewService
	}
	if err := checkDevelop(req); err != nil {
		return err
	}
	opts := listOptions(req.query)
	vs, total, err := s.Views.FindExperienceViews(r.Context(), weir.ExperienceViewFilter{ApplicationID: req.appID,
		ViewType: req.query["viewType"], ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &viewsResponse{
		Items:         make([]*viewResponse, 0, len(vs)),
		listPage:      newListPage(len(vs), total, opts),
		ApplicationID: req.appID,
		ViewType:      req.query["viewType"],
		Type:          "experienceViews",
		Links:         linksFor(req.links, pathViews, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, v := range vs {
		resp.Items = append(resp.Items, newViewResponse(v, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleViewsPost answers POST /applications/{applicationId}/experience/views
// with 201 and the new view.
func (s *Server) handleViewsPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeViewBody(req)
	if err != nil {
		return err
	}
	if s.Views == nil {
		return errNoViewService
	}
	v := &weir.ExperienceView{ApplicationID: req.appID, ViewType: *in.ViewType}
	if err := in.apply(v); err != nil {
		return err
	}
	if err := s.Views.CreateExperienceView(r.Context(), v); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newViewResponse(v, req.links))
	return nil
}
