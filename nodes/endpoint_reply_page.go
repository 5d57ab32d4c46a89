package nodes

import (
	"context"
	"net/http"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
)

// pageReply renders the experience page of a page reply for p: the page
// (pageIdTemplate: an id or a name) inside its layout (layoutIdTemplate, or
// the page's own), with pageData from the body settings, the request, the
// experience (user, endpoint, page, layout, version), globals and time. The
// page's headers apply, then the node's, then the defaults; Content-Type
// is text/html unless set. A page that cannot be found or rendered answers
// 500 with an HTML page naming the error, which is also logged; the run
// goes on.
func (n *endpointReply) pageReply(ctx context.Context, env *engine.Env, p engine.Payload) (engine.Reply, error) {
	rep := engine.Reply{Headers: map[string]string{}}
	var err error
	if rep.StatusCode, err = renderReplyStatus(n.code, p); err != nil {
		return rep, err
	}
	pageID, err := n.pageID.Render(p)
	if err != nil {
		return rep, engine.Errorf("Validation", "pageIdTemplate: %v", err)
	}
	layoutID, err := n.layoutID.Render(p)
	if err != nil {
		return rep, engine.Errorf("Validation", "layoutIdTemplate: %v", err)
	}
	pageData, err := n.pageData(p)
	if err != nil {
		return rep, err
	}
	body, headers, renderErr := n.renderPage(ctx, env, strings.TrimSpace(pageID), strings.TrimSpace(layoutID), pageData, p)
	for k, v := range headers {
		rep.Headers[http.CanonicalHeaderKey(k)] = v
	}
	if err := n.finishHeaders(p, &rep); err != nil {
		return rep, err
	}
	if renderErr != nil {
		if env.Logger != nil {
			env.Logger.Warn("endpoint reply: the page could not be rendered", "page", pageID, "err", renderErr)
		}
		rep.StatusCode = http.StatusInternalServerError
		rep.Headers["Content-Type"] = "text/html; charset=utf-8"
		body = engine.PageErrorHTML(renderErr)
	}
	if _, set := rep.Headers["Content-Type"]; !set {
		rep.Headers["Content-Type"] = "text/html; charset=utf-8"
	}
	rep.Body = []byte(body)
	return rep, nil
}

// renderPage finds and renders the page, returning its text and the page's
// headers. Its errors are client-facing (*weir.Error).
func (n *endpointReply) renderPage(ctx context.Context, env *engine.Env, pageID, layoutID string, pageData any,
	p engine.Payload) (string, map[string]string, error) {
	if pageID == "" {
		return "", nil, weir.Errorf(weir.Validation, "pageIdTemplate rendered no page")
	}
	pg, err := env.Views.FindPage(ctx, env.ApplicationID, pageID, layoutID)
	if err != nil {
		return "", nil, weir.Errorf(weir.ErrorTypeOf(err), "%s", weir.ErrorMessage(err))
	}
	exp := map[string]any{}
	if e, ok := p["experience"].(map[string]any); ok {
		for k, v := range e {
			exp[k] = v
		}
	}
	if _, ok := exp["user"]; !ok {
		exp["user"] = nil
	}
	if _, ok := exp["version"]; !ok {
		exp["version"] = weir.DevelopVersion
	}
	exp["page"] = engine.ViewContext(pg.Page)
	if pg.Layout != nil {
		exp["layout"] = engine.ViewContext(pg.Layout)
	}
	request := map[string]any{}
	if d, ok := p["data"].(map[string]any); ok {
		for _, k := range []string{"path", "method", "params", "query", "headers", "body", "cookies"} {
			if v, ok := d[k]; ok {
				request[k] = v
			}
		}
	}
	root := map[string]any{"pageData": pageData, "request": request, "experience": exp, "globals": p["globals"], "time": p["time"]}
	warn := func(msg string) {
		if env.Logger != nil {
			env.Logger.Warn("endpoint reply: "+msg, "page", pg.Page.Name)
		}
	}
	body, err := env.Views.Render(ctx, env.ApplicationID, pg, root, warn)
	if err != nil {
		return "", pg.Page.Headers, weir.Errorf(weir.Validation, "%s %s: %v", pg.Page.ViewType, pg.Page.Name, err)
	}
	return body, pg.Page.Headers, nil
}

// pageData is the data a page reply hands its page: the value at the body
// path, the rendered string or JSON template, the whole payload, or nothing.
func (n *endpointReply) pageData(p engine.Payload) (any, error) {
	switch n.body.bodyType {
	case "path":
		if v := n.body.bodyPath.Get(p); v != nil {
			if _, undef := v.(js.Undefined); !undef {
				return v, nil
			}
		}
		return nil, nil
	case "json":
		v, err := n.body.body.RenderJSON(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "bodyTemplate: %v", err)
		}
		return v, nil
	case "string":
		s, err := n.body.body.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "bodyTemplate: %v", err)
		}
		return s, nil
	case "payload":
		return p, nil
	}
	return nil, nil
}
