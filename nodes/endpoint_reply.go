package nodes

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var (
	endpointReplyTypes     = []string{"custom", "redirect", "page", "mqtt"}
	endpointReplyBodyTypes = []string{"string", "json", "path", "payload", "none"}

	// endpointDefaultHeaders are set on every endpoint reply unless the
	// node sets them, as Losant does.
	endpointDefaultHeaders = map[string]string{
		"Cache-Control":          "no-cache, no-store, must-revalidate",
		"Pragma":                 "no-cache",
		"X-Content-Type-Options": "nosniff",
		"X-Xss-Protection":       "1; mode=block",
	}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "EndpointReplyNode",
		Name:     "endpoint-reply",
		Category: "output",
		Summary: "Answers the HTTP request waiting on an experience endpoint: a custom status, headers, cookies and body, or a redirect. " +
			"The first reply wins; a reply nobody waits for is ignored and the run continues.",
		Outputs: []string{"next: the payload, unchanged"},
		Fields: []engine.Field{
			{Name: "replyIdPath", Kind: "path", Default: "data.replyId", Doc: "Where the payload holds the id of the request to answer; empty means data.replyId (error flows use data.erroredPayload.data.replyId). Without an id the node does nothing; a reply to a request that got its reply already or stopped waiting (30 s) is ignored."},
			{Name: "replyType", Kind: "enum", Enum: endpointReplyTypes, Default: "custom", Doc: "custom sends status, headers and body; redirect sends a 301 or 302 to the URL in bodyTemplate. page renders an experience page (pageIdTemplate) in its layout with pageData from the body settings; mqtt is not supported by weir: the waiting request gets 501 and the run fails."},
			{Name: "responseCodeTemplate", Kind: "template", Default: "200", Doc: "The status code; anything but a whole number from 200 to 599 means 200 (302 for redirects, which allow only 301 and 302)."},
			{Name: "bodyTemplateType", Kind: "enum", Enum: endpointReplyBodyTypes, Default: "string",
				Doc: "string renders bodyTemplate as text (Content-Type text/plain unless a header sets one); json renders it and parses it as JSON (application/json); path sends the value at the path bodyTemplate (text as is, anything else as JSON); payload sends the whole payload as JSON; none sends no body."},
			{Name: "bodyTemplate", Kind: "template", Doc: "The body, or for redirects the target URL (a template, or a payload path for bodyTemplateType path); at most 256 KB once rendered."},
			{Name: "headerInfo", Kind: "array", Doc: "Headers, each {keyTemplate, valueTemplate}; entries whose key renders empty are skipped. Cache-Control, Pragma, X-Content-Type-Options and X-XSS-Protection get Losant's no-cache and hardening values unless set here."},
			{Name: "cookieInfo", Kind: "array", Doc: "Cookies, each {nameTemplate, valueTemplate, maxAgeTemplate (milliseconds), pathTemplate}; one Set-Cookie header each. An empty value deletes the cookie; no max age makes a session cookie; the path defaults to /."},
			{Name: "sameSiteTemplate", Kind: "template", Doc: "SameSite of every cookie: lax, strict or none (any case); empty or anything else leaves it unset."},
			{Name: "pageIdTemplate", Kind: "template", Doc: "The experience page of a page reply: its id, or its name. The page renders in its layout with pageData (the value at the body path, the rendered string or JSON template, the payload, or nothing for none), request (path, method, params, query, headers, body, cookies), experience (user, endpoint, version, page, layout), globals and time; the page's headers apply before the node's. A page that cannot be found or rendered answers 500 with an HTML page naming the error, logged; the run goes on. Limits: 2 s and 512 KB per page, components nested 32 deep."},
			{Name: "layoutIdTemplate", Kind: "template", Doc: "The experience layout of a page reply (an id or a name); empty means the page's own layout."},
			{Name: "experienceVersion", Kind: "string", Doc: "The experience version of a page reply; weir keeps develop only, so this is ignored."},
			{Name: "mqttTopicsTemplate", Kind: "array", Doc: "Topics of an mqtt reply; ignored (mqtt replies are not supported)."},
		},
	}, buildEndpointReply)
}

type endpointReply struct {
	replyID   path.Path
	replyType string
	code      *template.Template
	body      webhookReply // bodyType, body and bodyPath: the body renders as a Webhook Reply's does
	headers   []replyHeader
	cookies   []replyCookie
	sameSite  *template.Template
	defaults  map[string]string  // headers set unless the node sets them
	pageID    *template.Template // page replies
	layoutID  *template.Template // page replies; "" for the page's own
}

type replyCookie struct {
	name, value, maxAge, path *template.Template
}

type endpointReplyConfig struct {
	ReplyIDPath          string       `json:"replyIdPath"`
	ReplyType            string       `json:"replyType"`
	ResponseCodeTemplate engine.Text  `json:"responseCodeTemplate"`
	BodyTemplateType     string       `json:"bodyTemplateType"`
	BodyTemplate         engine.Text  `json:"bodyTemplate"`
	HeaderInfo           []headerInfo `json:"headerInfo"`
	CookieInfo           []struct {
		NameTemplate   engine.Text `json:"nameTemplate"`
		ValueTemplate  engine.Text `json:"valueTemplate"`
		MaxAgeTemplate engine.Text `json:"maxAgeTemplate"`
		PathTemplate   engine.Text `json:"pathTemplate"`
	} `json:"cookieInfo"`
	SameSiteTemplate   engine.Text   `json:"sameSiteTemplate"`
	PageIDTemplate     engine.Text   `json:"pageIdTemplate"`
	LayoutIDTemplate   engine.Text   `json:"layoutIdTemplate"`
	ExperienceVersion  string        `json:"experienceVersion"`
	MQTTTopicsTemplate []engine.Text `json:"mqttTopicsTemplate"`
}

func buildEndpointReply(c *engine.NodeConfig) (engine.Node, error) {
	var cfg endpointReplyConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.ReplyType == "" {
		cfg.ReplyType = "custom"
	}
	if !slices.Contains(endpointReplyTypes, cfg.ReplyType) {
		return nil, engine.Errorf("Validation", "replyType must be one of %v", endpointReplyTypes)
	}
	n, err := compileEndpointReply(&cfg, endpointReplyBodyTypes, endpointDefaultHeaders)
	if err != nil {
		return nil, err
	}
	if n.pageID, err = engine.CompileTemplate("pageIdTemplate", string(cfg.PageIDTemplate)); err != nil {
		return nil, err
	}
	if n.layoutID, err = engine.CompileTemplate("layoutIdTemplate", string(cfg.LayoutIDTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// compileEndpointReply compiles a reply node's config: its body type must
// be one of bodyTypes (empty means string), and defaults are the headers
// set unless the node sets them.
func compileEndpointReply(cfg *endpointReplyConfig, bodyTypes []string, defaults map[string]string) (*endpointReply, error) {
	n := &endpointReply{replyType: cfg.ReplyType, body: webhookReply{bodyType: cfg.BodyTemplateType}, defaults: defaults}
	if n.body.bodyType == "" {
		n.body.bodyType = "string"
	}
	if !slices.Contains(bodyTypes, n.body.bodyType) {
		return nil, engine.Errorf("Validation", "bodyTemplateType must be one of %v", bodyTypes)
	}
	if cfg.ReplyIDPath == "" {
		cfg.ReplyIDPath = "data.replyId"
	}
	var err error
	if n.replyID, _, err = engine.CompilePath("replyIdPath", cfg.ReplyIDPath, true); err != nil {
		return nil, err
	}
	if n.code, err = engine.CompileTemplate("responseCodeTemplate", string(cfg.ResponseCodeTemplate)); err != nil {
		return nil, err
	}
	if n.sameSite, err = engine.CompileTemplate("sameSiteTemplate", string(cfg.SameSiteTemplate)); err != nil {
		return nil, err
	}
	switch n.body.bodyType {
	case "path":
		if n.body.bodyPath, _, err = engine.CompilePath("bodyTemplate", string(cfg.BodyTemplate), n.replyType != "page"); err != nil {
			return nil, err
		}
	case "string", "json":
		if n.body.body, err = engine.CompileTemplate("bodyTemplate", string(cfg.BodyTemplate)); err != nil {
			return nil, err
		}
	}
	if n.headers, err = compileReplyHeaders(cfg.HeaderInfo); err != nil {
		return nil, err
	}
	for _, ci := range cfg.CookieInfo {
		var rc replyCookie
		for _, f := range []struct {
			field string
			src   engine.Text
			dst   **template.Template
		}{
			{"cookieInfo.nameTemplate", ci.NameTemplate, &rc.name},
			{"cookieInfo.valueTemplate", ci.ValueTemplate, &rc.value},
			{"cookieInfo.maxAgeTemplate", ci.MaxAgeTemplate, &rc.maxAge},
			{"cookieInfo.pathTemplate", ci.PathTemplate, &rc.path},
		} {
			if *f.dst, err = engine.CompileTemplate(f.field, string(f.src)); err != nil {
				return nil, err
			}
		}
		n.cookies = append(n.cookies, rc)
	}
	return n, nil
}

// Exec sends the reply, when a request may wait for one, and continues. An
// mqtt reply, or a page reply where the run cannot reach views, answers 501
// and fails the run.
func (n *endpointReply) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	id, _ := n.replyID.Get(p).(string)
	if n.replyType == "mqtt" || (n.replyType == "page" && env.Views == nil) {
		err := engine.Errorf("Validation", "Endpoint Reply: %s replies are not supported by weir", n.replyType)
		if env.Reply != nil && id != "" {
			body := engine.EncodeValue(map[string]any{"type": "NotImplemented", "message": err.Error()})
			_ = env.Reply(id, engine.Reply{StatusCode: http.StatusNotImplemented,
				Headers: map[string]string{"Content-Type": "application/json"}, Body: body})
		}
		return 0, err
	}
	if env.Reply == nil || id == "" {
		return 0, nil
	}
	var rep engine.Reply
	var err error
	if n.replyType == "page" {
		rep, err = n.pageReply(ctx, env, p)
	} else {
		rep, err = n.reply(p)
	}
	if err != nil {
		return 0, err
	}
	if err := env.Reply(id, rep); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
		return 0, err
	}
	return 0, nil
}

// reply renders the custom or redirect reply of p.
func (n *endpointReply) reply(p engine.Payload) (engine.Reply, error) {
	rep := engine.Reply{Headers: map[string]string{}}
	var err error
	if rep.StatusCode, err = renderReplyStatus(n.code, p); err != nil {
		return rep, err
	}
	if err := n.finishHeaders(p, &rep); err != nil {
		return rep, err
	}
	body, err := n.renderBody(p)
	if err != nil {
		return rep, err
	}
	if n.replyType == "redirect" {
		if rep.StatusCode != http.StatusMovedPermanently {
			rep.StatusCode = http.StatusFound
		}
		rep.Headers["Location"] = strings.NewReplacer("\r", "", "\n", "").Replace(body)
		return rep, nil
	}
	if len(body) > maxReplyBodyBytes {
		return rep, engine.Errorf("Validation", "reply body is larger than %d bytes", maxReplyBodyBytes)
	}
	if _, set := rep.Headers["Content-Type"]; !set && n.body.bodyType != "none" {
		rep.Headers["Content-Type"] = n.contentType(p)
	}
	rep.Body = []byte(body)
	return rep, nil
}

// finishHeaders renders the node's headers and cookies into rep, over the
// headers rep has, and sets the default headers the node leaves unset.
func (n *endpointReply) finishHeaders(p engine.Payload, rep *engine.Reply) error {
	if err := renderReplyHeaders(n.headers, p, rep.Headers); err != nil {
		return err
	}
	var err error
	if rep.Cookies, err = n.renderCookies(p); err != nil {
		return err
	}
	for k, v := range n.defaults {
		if _, set := rep.Headers[k]; !set {
			rep.Headers[k] = v
		}
	}
	return nil
}

// renderBody returns the body of p: none is empty, json is the rendered
// template parsed and re-encoded, the rest render as a Webhook Reply's body.
// Redirects take the rendered text as is.
func (n *endpointReply) renderBody(p engine.Payload) (string, error) {
	switch {
	case n.body.bodyType == "none":
		return "", nil
	case n.body.bodyType == "json" && n.replyType != "redirect":
		v, err := n.body.body.RenderJSON(p)
		if err != nil {
			return "", engine.Errorf("Validation", "bodyTemplate: %v", err)
		}
		return string(engine.EncodeValue(v)), nil
	}
	return n.body.renderBody(p)
}

// contentType is the Content-Type of a body the node's headers leave
// untyped: JSON for json and payload bodies and non-text path values.
func (n *endpointReply) contentType(p engine.Payload) string {
	switch n.body.bodyType {
	case "json", "payload":
		return "application/json"
	case "path":
		if _, ok := n.body.bodyPath.Get(p).(string); !ok {
			return "application/json"
		}
	}
	return "text/plain; charset=utf-8"
}

// renderCookies returns the Set-Cookie values of the node's cookies for p.
func (n *endpointReply) renderCookies(p engine.Payload) ([]string, error) {
	if len(n.cookies) == 0 {
		return nil, nil
	}
	ss, err := n.sameSite.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "sameSiteTemplate: %v", err)
	}
	sameSite := map[string]http.SameSite{"lax": http.SameSiteLaxMode, "strict": http.SameSiteStrictMode,
		"none": http.SameSiteNoneMode}[strings.ToLower(strings.TrimSpace(ss))]
	var out []string
	for _, rc := range n.cookies {
		var vals [4]string
		for i, t := range []*template.Template{rc.name, rc.value, rc.maxAge, rc.path} {
			if vals[i], err = t.Render(p); err != nil {
				return nil, engine.Errorf("Validation", "cookieInfo: %v", err)
			}
		}
		c := &http.Cookie{Name: strings.TrimSpace(vals[0]), Value: vals[1], Path: strings.TrimSpace(vals[3]), SameSite: sameSite}
		if c.Name == "" {
			continue
		}
		if c.Path == "" {
			c.Path = "/"
		}
		if ms, err := strconv.ParseFloat(strings.TrimSpace(vals[2]), 64); err == nil && ms > 0 {
			c.MaxAge = max(int(ms/1000), 1)
		}
		if c.Value == "" {
			c.MaxAge = -1 // delete
		}
		line := c.String()
		if line == "" {
			return nil, engine.Errorf("Validation", "cookieInfo: %q is not a valid cookie name", c.Name)
		}
		out = append(out, line)
	}
	return out, nil
}

var _ engine.Node = (*endpointReply)(nil)
