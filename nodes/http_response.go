package nodes

import "github.com/weirhq/weir/engine"

var (
	httpResponseBodyTypes = []string{"string", "json", "path", "payload", "none"}

	// httpResponseDefaultHeaders are set on every HTTP Response unless the
	// node sets them, as Losant's edge agent does.
	httpResponseDefaultHeaders = map[string]string{
		"Cache-Control":           "no-cache, no-store, must-revalidate",
		"Content-Security-Policy": "default-src 'none'",
		"Content-Type":            "application/json",
		"Pragma":                  "no-cache",
		"X-Content-Type-Options":  "nosniff",
		"X-Xss-Protection":        "1; mode=block",
	}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "HttpResponseNode",
		Name:     "http-response",
		Category: "output",
		Summary: "Answers the HTTP request that started the run through an HTTP request trigger (an edge flow's route, " +
			"served by weir under /edge/{applicationId}/…): status, headers, cookies and body. The first reply wins; " +
			"a reply nobody waits for is ignored and the run continues.",
		Outputs: []string{"next: the payload, unchanged"},
		Fields: []engine.Field{
			{Name: "replyIdPath", Kind: "path", Default: "data.replyId", Doc: "Where the payload holds the id of the request to answer; empty means data.replyId (error flows use data.erroredPayload.data.replyId). Without an id the node does nothing; a reply to a request that got its reply already or stopped waiting (30 s) is ignored."},
			{Name: "responseCodeTemplate", Kind: "template", Default: "200", Doc: "The status code; anything but a whole number from 200 to 599 means 200 (an informational 1xx status cannot end a response)."},
			{Name: "bodyTemplateType", Kind: "enum", Enum: httpResponseBodyTypes, Default: "string",
				Doc: "string renders bodyTemplate as text; json renders it and parses it as JSON; path sends the value at the path bodyTemplate (text as is, anything else as JSON); payload sends the whole payload as JSON; none sends no body."},
			{Name: "bodyTemplate", Kind: "template", Doc: "The body (a template, or a payload path for bodyTemplateType path); at most 256 KB once rendered."},
			{Name: "headerInfo", Kind: "array", Doc: "Headers, each {keyTemplate, valueTemplate}; entries whose key renders empty are skipped. Unless set here, Content-Type is application/json, and Cache-Control, Pragma, Content-Security-Policy, X-Content-Type-Options and X-XSS-Protection get no-cache and hardening values."},
			{Name: "cookieInfo", Kind: "array", Doc: "Cookies, each {nameTemplate, valueTemplate, maxAgeTemplate (milliseconds), pathTemplate}; one Set-Cookie header each. An empty value deletes the cookie; no max age makes a session cookie; the path defaults to /."},
			{Name: "sameSiteTemplate", Kind: "template", Doc: "SameSite of every cookie: lax, strict or none (any case); empty or anything else leaves it unset."},
		},
	}, buildHTTPResponse)
}

func buildHTTPResponse(c *engine.NodeConfig) (engine.Node, error) {
	var cfg endpointReplyConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	cfg.ReplyType = "custom"
	return compileEndpointReply(&cfg, httpResponseBodyTypes, httpResponseDefaultHeaders)
}
