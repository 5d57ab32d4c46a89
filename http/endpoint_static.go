package http

import (
	"cmp"
	"encoding/json"
	"net/http"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// staticReplyHeaders are set on every static reply, as on the Endpoint
// Reply node's.
var staticReplyHeaders = map[string]string{
	"Cache-Control":          "no-cache, no-store, must-revalidate",
	"Pragma":                 "no-cache",
	"X-Content-Type-Options": "nosniff",
	"X-Xss-Protection":       "1; mode=block",
}

// writeStaticReply answers a request no workflow handles with the
// endpoint's static reply: a redirect to its value, or its page rendered
// in the page's layout through Pages, with the context an Endpoint Reply
// node's page has (no pageData; request, experience with the signed-in
// user, the application's globals under the experience version's, time).
// A page that cannot be found or rendered answers 500 with a page naming
// the error, logged as a warning.
func (s *Server) writeStaticReply(w http.ResponseWriter, r *http.Request, ep *weir.ExperienceEndpoint, data *endpointData, caller endpointCaller) error {
	reply := ep.StaticReply
	for k, v := range staticReplyHeaders {
		w.Header().Set(k, v)
	}
	if reply.Type == "redirect" {
		w.Header().Set("Location", reply.Value)
		w.WriteHeader(cmp.Or(reply.StatusCode, http.StatusFound))
		return nil
	}
	if s.Pages == nil {
		return weir.Errorf(weir.Unavailable, "this server renders no pages")
	}
	body, headers, err := s.renderStaticPage(r, ep, data, caller)
	if err != nil {
		s.logger().Warn("static reply: the page could not be rendered", "app_id", ep.ApplicationID, "endpoint", ep.ID, "page", reply.Value, "err", err)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(engine.PageErrorHTML(err)))
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(cmp.Or(reply.StatusCode, http.StatusOK))
	_, _ = w.Write([]byte(body))
	return nil
}

// renderStaticPage renders the endpoint's static page and returns it with
// the page's headers.
func (s *Server) renderStaticPage(r *http.Request, ep *weir.ExperienceEndpoint, data *endpointData, caller endpointCaller) (string, map[string]string, error) {
	pg, err := s.Pages.FindPage(r.Context(), ep.ApplicationID, ep.StaticReply.Value, "")
	if err != nil {
		return "", nil, err
	}
	app, err := s.Applications.FindApplicationByID(r.Context(), ep.ApplicationID)
	if err != nil {
		return "", nil, err
	}
	version, err := s.experienceVersion(r.Context(), ep.ApplicationID)
	if err != nil {
		return "", nil, err
	}
	exp := map[string]any{
		"endpoint": experienceRef{ID: ep.ID, ApplicationID: ep.ApplicationID, Route: ep.Route, Method: ep.Method,
			Access: ep.Access, Description: ep.Description},
		"user": caller.user, "authInfo": caller.authInfo, "version": weir.DevelopVersion, "page": engine.ViewContext(pg.Page),
	}
	if pg.Layout != nil {
		exp["layout"] = engine.ViewContext(pg.Layout)
	}
	request := map[string]any{"path": data.Path, "method": data.Method, "params": data.Params, "query": data.Query,
		"headers": data.Headers, "body": data.Body, "cookies": data.Cookies}
	// As a run's payload has them: JSON values.
	raw, err := json.Marshal(map[string]any{"request": request, "experience": exp})
	if err != nil {
		return "", nil, err
	}
	v, err := engine.DecodeValue(raw)
	if err != nil {
		return "", nil, err
	}
	parts, _ := v.(map[string]any)
	root := map[string]any{"pageData": nil, "request": parts["request"], "experience": parts["experience"],
		"globals": weir.MergeGlobals(app.Globals, version.Globals), "time": s.now().UTC().Truncate(time.Millisecond)}
	warn := func(msg string) {
		s.logger().Warn("static reply: "+msg, "app_id", ep.ApplicationID, "page", pg.Page.Name)
	}
	body, err := s.Pages.Render(r.Context(), ep.ApplicationID, pg, root, warn)
	if err != nil {
		return "", nil, weir.Errorf(weir.Validation, "%s %s: %v", pg.Page.ViewType, pg.Page.Name, err)
	}
	return body, pg.Page.Headers, nil
}
