package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// recipeResponse is a device recipe as the API returns it.
type recipeResponse struct {
	*weir.DeviceRecipe
	DeviceRecipeID string `json:"deviceRecipeId"`
	Type           string `json:"_type"`
	Links          links  `json:"_links,omitempty"`
}

func newRecipeResponse(rc *weir.DeviceRecipe, withLinks bool) *recipeResponse {
	return &recipeResponse{
		DeviceRecipe:   rc,
		DeviceRecipeID: rc.ID,
		Type:           "deviceRecipe",
		Links: linksFor(withLinks, pathRecipe, map[string]string{"application": pathApplication, "deviceRecipes": pathRecipes},
			"{applicationId}", rc.ApplicationID, "{deviceRecipeId}", rc.ID),
	}
}

// recipesResponse is a page of an application's device recipes.
type recipesResponse struct {
	Items []*recipeResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleRecipesGet answers GET /applications/{applicationId}/device-recipes.
func (s *Server) handleRecipesGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Recipes == nil {
		return errNoRecipeService
	}
	opts := listOptions(req.query)
	rs, total, err := s.Recipes.FindDeviceRecipes(r.Context(), weir.DeviceRecipeFilter{ApplicationID: req.appID, ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &recipesResponse{
		Items:         make([]*recipeResponse, 0, len(rs)),
		listPage:      newListPage(len(rs), total, opts),
		ApplicationID: req.appID,
		Type:          "deviceRecipes",
		Links:         linksFor(req.links, pathRecipes, map[string]string{"application": pathApplication}, "{applicationId}", req.appID),
	}
	for _, rc := range rs {
		resp.Items = append(resp.Items, newRecipeResponse(rc, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleRecipesPost answers POST /applications/{applicationId}/device-recipes
// with 201 and the new recipe.
func (s *Server) handleRecipesPost(w http.ResponseWriter, r *http.Request, req *request) error {
	rc, err := mergeRecipe(&weir.DeviceRecipe{}, req.body)
	if err != nil {
		return err
	}
	if s.Recipes == nil {
		return errNoRecipeService
	}
	rc.ApplicationID = req.appID
	if err := s.Recipes.CreateDeviceRecipe(r.Context(), rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newRecipeResponse(rc, req.links))
	return nil
}

// handleRecipeGet answers GET …/device-recipes/{deviceRecipeId}.
func (s *Server) handleRecipeGet(w http.ResponseWriter, r *http.Request, req *request) error {
	rc, err := s.findRecipe(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newRecipeResponse(rc, req.links))
	return nil
}

// handleRecipePatch answers PATCH …/device-recipes/{deviceRecipeId}: the
// fields given replace the stored ones (parentId null clears it).
func (s *Server) handleRecipePatch(w http.ResponseWriter, r *http.Request, req *request) error {
	old, err := s.findRecipe(r, req)
	if err != nil {
		return err
	}
	rc, err := mergeRecipe(old, req.body)
	if err != nil {
		return err
	}
	rc.ID, rc.ApplicationID = old.ID, old.ApplicationID
	if err := s.Recipes.UpdateDeviceRecipe(r.Context(), rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newRecipeResponse(rc, req.links))
	return nil
}

// handleRecipeDelete answers DELETE …/device-recipes/{deviceRecipeId} with
// {"success":true}; devices made from it stay.
func (s *Server) handleRecipeDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Recipes == nil {
		return errNoRecipeService
	}
	if err := s.Recipes.DeleteDeviceRecipe(r.Context(), req.appID, req.recipeID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// findRecipe returns the recipe the path names, or NotFound.
func (s *Server) findRecipe(r *http.Request, req *request) (*weir.DeviceRecipe, error) {
	if s.Recipes == nil {
		return nil, errNoRecipeService
	}
	return s.Recipes.FindDeviceRecipeByID(r.Context(), req.appID, req.recipeID)
}

// mergeRecipe returns base with the fields of body, a schema-valid
// deviceRecipePost or deviceRecipePatch, set over it.
func mergeRecipe(base *weir.DeviceRecipe, body json.RawMessage) (*weir.DeviceRecipe, error) {
	cur, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var fields, patch map[string]json.RawMessage
	if err := json.Unmarshal(cur, &fields); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &patch); err != nil {
		return nil, weir.Errorf(weir.Validation, "deviceRecipe is the wrong type")
	}
	for k, v := range patch {
		fields[k] = v
	}
	merged, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	var out weir.DeviceRecipe
	if err := json.Unmarshal(merged, &out); err != nil {
		return nil, weir.Errorf(weir.Validation, "deviceRecipe is the wrong type")
	}
	return &out, nil
}
