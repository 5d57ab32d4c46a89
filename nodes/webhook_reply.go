package nodes

import (
	"context"
	"math"
	"mime"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// maxReplyBodyBytes caps a Webhook Reply's body, as Losant does.
const maxReplyBodyBytes = 256 << 10

var (
	replyBodyTypes = []string{"string", "json", "path", "payload"}

	// replyContentTypes are the Content-Types a reply may have; any other,
	// or none, becomes application/json.
	replyContentTypes = []string{"application/json", "application/xml", "text/plain", "text/xml", "text/csv"}

	// replyForcedHeaders are set on every reply, whatever the node says.
	replyForcedHeaders = map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'",
		"X-Xss-Protection":        "1; mode=block",
	}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "WebhookReplyNode",
		Name:     "webhook-reply",
		Category: "output",
		Summary:  "Answers the HTTP request waiting on a webhook set to wait for a reply; the first reply wins, and a reply nobody waits for is ignored.",
		Outputs:  []string{"next: the payload, unchanged"},
		Fields: []engine.Field{
			{Name: "replyIdPath", Kind: "path", Default: "data.replyId", Doc: "Where the payload holds the id of the request to answer; empty means data.replyId. Without an id the node does nothing; a reply to a request that got its reply already or stopped waiting (30 s) is ignored, as Losant ignores late replies."},
			{Name: "responseCodeTemplate", Kind: "template", Default: "200", Doc: "The status code; anything but a whole number from 200 to 599 means 200."},
			{Name: "bodyTemplateType", Kind: "enum", Enum: replyBodyTypes, Default: "string",
				Doc: "string and json render bodyTemplate as text; path sends the value at the path bodyTemplate (text as is, anything else as JSON); payload sends the whole payload as JSON."},
			{Name: "bodyTemplate", Kind: "template", Doc: "The body (a template, or a payload path for bodyTemplateType path); at most 256 KB once rendered."},
			{Name: "headerInfo", Kind: "array", Doc: "Headers, each {keyTemplate, valueTemplate}; entries whose key renders empty are skipped. Content-Type must be application/json, application/xml, text/plain, text/xml or text/csv, else it is application/json; X-Content-Type-Options, Content-Security-Policy and X-XSS-Protection are always set."},
			{Name: "isWebsocketMessage", Kind: "bool", Default: "false", Doc: "Send a WebSocket message instead of an HTTP reply; not supported by weir: the node does nothing."},
			{Name: "encodingTemplate", Kind: "template", Default: "utf8", Doc: "The WebSocket message encoding; ignored."},
			{Name: "replyType", Kind: "string", Default: "custom", Doc: "Always custom for this node; ignored."},
		},
	}, buildWebhookReply)
}

type webhookReply struct {
	replyID   path.Path
	code      *template.Template
	bodyType  string
	body      *template.Template
	bodyPath  path.Path
	headers   []replyHeader
	websocket bool
}

// headerInfo is one headerInfo entry of a reply node's config.
type headerInfo struct {
	KeyTemplate   engine.Text `json:"keyTemplate"`
	ValueTemplate engine.Text `json:"valueTemplate"`
}

// replyHeader is a compiled headerInfo entry.
type replyHeader struct {
	key, value *template.Template
}

// compileReplyHeaders compiles a reply node's headerInfo entries.
func compileReplyHeaders(infos []headerInfo) ([]replyHeader, error) {
	var out []replyHeader
	for _, h := range infos {
		var rh replyHeader
		var err error
		if rh.key, err = engine.CompileTemplate("headerInfo.keyTemplate", string(h.KeyTemplate)); err != nil {
			return nil, err
		}
		if rh.value, err = engine.CompileTemplate("headerInfo.valueTemplate", string(h.ValueTemplate)); err != nil {
			return nil, err
		}
		out = append(out, rh)
	}
	return out, nil
}

// renderReplyHeaders renders headers for p into h; blank names are skipped
// and line breaks in values become spaces.
func renderReplyHeaders(headers []replyHeader, p engine.Payload, h map[string]string) error {
	for _, rh := range headers {
		k, err := rh.key.Render(p)
		if err != nil {
			return engine.Errorf("Validation", "headerInfo.keyTemplate: %v", err)
		}
		v, err := rh.value.Render(p)
		if err != nil {
			return engine.Errorf("Validation", "headerInfo.valueTemplate: %v", err)
		}
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if !validReplyHeaderName(k) {
			return engine.Errorf("Validation", "headerInfo: %q is not a valid header name", k)
		}
		h[textproto.CanonicalMIMEHeaderKey(k)] = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	return nil
}

// renderReplyStatus renders a status code template: a whole number from 200
// to 599, anything else means 200.
func renderReplyStatus(code *template.Template, p engine.Payload) (int, error) {
	s, err := code.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "responseCodeTemplate: %v", err)
	}
	if c, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && c == math.Trunc(c) && c >= 200 && c <= 599 {
		return int(c), nil
	}
	return 200, nil
}

func buildWebhookReply(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		ReplyIDPath          string       `json:"replyIdPath"`
		ResponseCodeTemplate engine.Text  `json:"responseCodeTemplate"`
		BodyTemplateType     string       `json:"bodyTemplateType"`
		BodyTemplate         engine.Text  `json:"bodyTemplate"`
		HeaderInfo           []headerInfo `json:"headerInfo"`
		IsWebsocketMessage   bool         `json:"isWebsocketMessage"`
		EncodingTemplate     engine.Text  `json:"encodingTemplate"`
		ReplyType            string       `json:"replyType"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &webhookReply{bodyType: cfg.BodyTemplateType, websocket: cfg.IsWebsocketMessage}
	if n.bodyType == "" {
		n.bodyType = "string"
	}
	if !slices.Contains(replyBodyTypes, n.bodyType) {
		return nil, engine.Errorf("Validation", "bodyTemplateType must be one of %v", replyBodyTypes)
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
	switch n.bodyType {
	case "path":
		if n.bodyPath, _, err = engine.CompilePath("bodyTemplate", string(cfg.BodyTemplate), true); err != nil {
			return nil, err
		}
	case "string", "json":
		if n.body, err = engine.CompileTemplate("bodyTemplate", string(cfg.BodyTemplate)); err != nil {
			return nil, err
		}
	}
	if n.headers, err = compileReplyHeaders(cfg.HeaderInfo); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec sends the reply, when a request may wait for one, and continues.
func (n *webhookReply) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if env.Reply == nil || n.websocket {
		return 0, nil
	}
	id, ok := n.replyID.Get(p).(string)
	if !ok || id == "" {
		return 0, nil
	}
	rep, err := n.reply(p)
	if err != nil {
		return 0, err
	}
	if err := env.Reply(id, rep); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
		return 0, err
	}
	return 0, nil
}

// reply renders the reply of p.
func (n *webhookReply) reply(p engine.Payload) (engine.Reply, error) {
	rep := engine.Reply{Headers: map[string]string{}}
	var err error
	if rep.StatusCode, err = renderReplyStatus(n.code, p); err != nil {
		return rep, err
	}
	if err := renderReplyHeaders(n.headers, p, rep.Headers); err != nil {
		return rep, err
	}
	ct, _, _ := mime.ParseMediaType(rep.Headers["Content-Type"])
	if !slices.Contains(replyContentTypes, ct) {
		rep.Headers["Content-Type"] = "application/json"
	}
	for k, v := range replyForcedHeaders {
		rep.Headers[k] = v
	}
	body, err := n.renderBody(p)
	if err != nil {
		return rep, err
	}
	if len(body) > maxReplyBodyBytes {
		return rep, engine.Errorf("Validation", "reply body is larger than %d bytes", maxReplyBodyBytes)
	}
	rep.Body = []byte(body)
	return rep, nil
}

// renderBody returns the reply body of p for the node's body type.
func (n *webhookReply) renderBody(p engine.Payload) (string, error) {
	switch n.bodyType {
	case "payload":
		return string(engine.EncodeValue(p)), nil
	case "path":
		v := n.bodyPath.Get(p)
		if s, ok := v.(string); ok {
			return s, nil
		}
		return string(engine.EncodeValue(v)), nil
	}
	body, err := n.body.Render(p)
	if err != nil {
		return "", engine.Errorf("Validation", "bodyTemplate: %v", err)
	}
	return body, nil
}

// validReplyHeaderName reports whether s is an HTTP token.
func validReplyHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

var _ engine.Node = (*webhookReply)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*webhookReply) Contained() {}
