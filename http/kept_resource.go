package http

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/weirhq/weir"
)

// Dashboards, notebooks and resource jobs are kept, not run: their
// collections (applicationDashboards, notebooks, resourceJobs; get and
// post, with Losant's paths) store the document a client posts and list it
// back, so that an application imported with them exports with them.
// weir renders no dashboard and runs no notebook or resource job.

// The kinds of the kept routes.
const (
	keptDashboard   = weir.KeptDashboard
	keptNotebook    = weir.KeptNotebook
	keptResourceJob = weir.KeptResourceJob
)

// keptFields are the fields the API sets on a kept resource, which its
// document does not hold.
var keptFields = []string{"id", "applicationId", "creationDate", "lastUpdated", "_links", "_type"}

var errNoKeptService = weir.Errorf(weir.NotFound, "this server keeps no dashboards, notebooks or resource jobs")

// keptResponse is a kept resource as the API answers it: its document with
// id, applicationId and dates.
func keptResponse(k *weir.KeptResource) map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(k.Document, &out)
	out["id"], out["applicationId"] = k.ID, k.ApplicationID
	out["creationDate"], out["lastUpdated"] = k.CreationDate.UTC().Format(time.RFC3339Nano), k.LastUpdated.UTC().Format(time.RFC3339Nano)
	return out
}

// handleKeptGet lists the application's kept resources of the route's
// kind, oldest first, paged by page and perPage.
func (s *Server) handleKeptGet(kind string) func(w http.ResponseWriter, r *http.Request, req *request) error {
	return func(w http.ResponseWriter, r *http.Request, req *request) error {
		if s.Kept == nil {
			return errNoKeptService
		}
		all, err := s.Kept.FindKeptResources(r.Context(), req.appID, kind)
		if err != nil {
			return err
		}
		opts := listOptions(req.query)
		from := min(opts.Page*opts.PerPage, len(all))
		to := min(from+opts.PerPage, len(all))
		items := make([]map[string]any, 0, to-from)
		for _, k := range all[from:to] {
			items = append(items, keptResponse(k))
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items, "count": len(items), "totalCount": len(all),
			"perPage": opts.PerPage, "page": opts.Page, "applicationId": req.appID})
		return nil
	}
}

// handleKeptPost keeps the posted document (a JSON object with a name) as
// a resource of the route's kind and answers 201 with it.
func (s *Server) handleKeptPost(kind string) func(w http.ResponseWriter, r *http.Request, req *request) error {
	return func(w http.ResponseWriter, r *http.Request, req *request) error {
		if s.Kept == nil {
			return errNoKeptService
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(req.body, &doc); err != nil || doc == nil {
			return weir.Errorf(weir.Validation, "the %s must be a JSON object", kind)
		}
		var name string
		if err := json.Unmarshal(doc["name"], &name); err != nil {
			return weir.Errorf(weir.Validation, "name is required and must be a string")
		}
		for _, f := range keptFields {
			delete(doc, f)
		}
		raw, _ := json.Marshal(doc)
		k := &weir.KeptResource{ApplicationID: req.appID, Kind: kind, Name: name, Document: raw}
		if err := s.Kept.CreateKeptResource(r.Context(), k); err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, keptResponse(k))
		return nil
	}
}
