package nodes

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

const (
	httpMaxTimeout     = 30 * time.Second
	httpMaxResponse    = 5 << 20
	httpMaxRedirects   = 10
	httpMaxTransports  = 32 // transports kept for custom TLS settings
	httpDefaultTimeout = httpMaxTimeout
	httpDialTimeout    = 10 * time.Second // connect, and TLS handshake
)

var (
	httpMethods        = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	httpBodyTypes      = []string{"string", "jsonTemplate", "urlencoded", "multipart", "none", "url", "diskPath"}
	httpAuthTypes      = []string{"none", "basic", "clientCert", "credential"}
	httpErrorBehaviors = []string{"throw", "payloadPath"}
	httpEncodings      = []string{"utf8", "base64", "hex", "latin1"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "HttpNode",
		Name:     "http",
		Category: "data",
		Summary:  "Makes an HTTP request and puts the response on the payload; any status code is a response, transport failures throw or go to errorPath.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "method", Kind: "template", Default: "GET", Enum: httpMethods, Doc: "The request method; may be a template rendering one of the methods (case-insensitive)."},
			{Name: "uriTemplate", Kind: "template", Required: true, Doc: "The full http or https URL. Rendering empty always throws; an invalid URL is a transport error. The server's egress policy (--http-egress) decides which addresses may be reached; it is checked on every connection, redirects included."},
			{Name: "bodyType", Kind: "enum", Enum: httpBodyTypes, Default: "string",
				Doc: "string: bodyTemplate as text; jsonTemplate: bodyTemplate must render valid JSON, sent compact with Content-Type application/json; urlencoded / multipart: bodyFields as a form; none: no body. url and diskPath (edge) are not supported and throw. No body is sent for GET and HEAD."},
			{Name: "bodyTemplate", Kind: "template", Doc: "The body for string and jsonTemplate."},
			{Name: "bodyFields[].keyTemplate", Kind: "template", Doc: "A form field name (urlencoded, multipart)."},
			{Name: "bodyFields[].valueTemplate", Kind: "template", Doc: "A form field value (urlencoded, multipart)."},
			{Name: "requestEncodingTemplate", Kind: "template", Default: "utf8", Enum: httpEncodings, Doc: "How a string body's rendered text becomes bytes (base64 and hex send binary)."},
			{Name: "headerInfo[].key", Kind: "string", Doc: "A request header name (static; keyTemplate is accepted as a template too)."},
			{Name: "headerInfo[].valueTemplate", Kind: "template", Doc: "The header value."},
			{Name: "authType", Kind: "enum", Enum: httpAuthTypes, Default: "none",
				Doc: "basic: authCredentials username/password; clientCert: authCredentials PEM key/cert for TLS client authentication; credential: a stored service credential (not supported; throws NotFound)."},
			{Name: "authCredentials.usernameTemplate", Kind: "template", Doc: "Basic auth user name."},
			{Name: "authCredentials.passwordTemplate", Kind: "template", Doc: "Basic auth password."},
			{Name: "authCredentials.keyTemplate", Kind: "template", Doc: "PEM private key of the client certificate."},
			{Name: "authCredentials.certTemplate", Kind: "template", Doc: "PEM client certificate."},
			{Name: "credentialNameTemplate", Kind: "template", Doc: "Name of a stored service credential (authType credential)."},
			{Name: "responsePath", Kind: "path",
				Doc: "Receives {statusCode, headers (lower-case names; set-cookie an array), body, requestDuration (ms), request: {method, uri, headers, strictSSL}}. body is the parsed JSON when the text is JSON, else the text (or the bytes in encodingTemplate when it is not utf8)."},
			{Name: "encodingTemplate", Kind: "template", Default: "utf8", Enum: httpEncodings, Doc: "How the response body is read: utf8 text (JSON parsed), or a base64/hex/latin1 string of the bytes."},
			{Name: "timeoutTemplate", Kind: "template", Default: "30", Doc: "Seconds to wait for the whole request; blank, non-numeric or non-positive means 30, above 30 is clamped. The run's own deadline applies too."},
			{Name: "disableSSLVerification", Kind: "bool", Default: "false", Doc: "Accept any TLS certificate."},
			{Name: "disableRedirects", Kind: "bool", Default: "false", Doc: "Return 3xx responses instead of following them (at most 10, http and https only)."},
			{Name: "caCertTemplate", Kind: "template", Doc: "PEM CA certificate(s) trusted instead of the system roots."},
			{Name: "errorBehavior", Kind: "enum", Enum: httpErrorBehaviors, Default: "throw",
				Doc: "For transport errors only (invalid URL, DNS, refused, TLS, timeout, response over 5 MB, a destination the server's egress policy blocks: code EACCES): throw halts the run; payloadPath writes {error: {name, message, code}, request} at errorPath and continues."},
			{Name: "errorPath", Kind: "path", Doc: "Where the error object goes with errorBehavior payloadPath; required then."},
			{Name: "diskPathTemplate", Kind: "template", Doc: "Edge only: file to stream the response to. Ignored."},
			{Name: "shouldAppend", Kind: "bool", Doc: "Edge only. Ignored."},
			{Name: "errorIfFileExists", Kind: "bool", Doc: "Edge only. Ignored."},
		},
	}, buildHTTP)
}

type httpHeader struct {
	key   string
	value *template.Template
}

type httpField struct{ key, value *template.Template }

type httpNode struct {
	method, uri, body, bodyEnc, encoding, timeout, caCert *template.Template
	user, password, clientKey, clientCert, credential     *template.Template
	bodyType, authType                                    string
	headers                                               []httpHeader
	fields                                                []httpField
	insecure, noRedirects                                 bool
	responsePath, errorPath                               path.Path
	hasResponse, catch                                    bool
}

type httpConfig struct {
	Method       engine.Text `json:"method"`
	URITemplate  engine.Text `json:"uriTemplate"`
	BodyType     string      `json:"bodyType"`
	BodyTemplate engine.Text `json:"bodyTemplate"`
	BodyFields   []struct {
		KeyTemplate   engine.Text `json:"keyTemplate"`
		ValueTemplate engine.Text `json:"valueTemplate"`
	} `json:"bodyFields"`
	RequestEncodingTemplate engine.Text `json:"requestEncodingTemplate"`
	HeaderInfo              []struct {
		Key           engine.Text `json:"key"`
		KeyTemplate   engine.Text `json:"keyTemplate"`
		ValueTemplate engine.Text `json:"valueTemplate"`
	} `json:"headerInfo"`
	AuthType        string `json:"authType"`
	AuthCredentials struct {
		UsernameTemplate engine.Text `json:"usernameTemplate"`
		PasswordTemplate engine.Text `json:"passwordTemplate"`
		KeyTemplate      engine.Text `json:"keyTemplate"`
		CertTemplate     engine.Text `json:"certTemplate"`
	} `json:"authCredentials"`
	CredentialNameTemplate engine.Text `json:"credentialNameTemplate"`
	ResponsePath           string      `json:"responsePath"`
	EncodingTemplate       engine.Text `json:"encodingTemplate"`
	TimeoutTemplate        engine.Text `json:"timeoutTemplate"`
	DisableSSLVerification engine.Text `json:"disableSSLVerification"`
	DisableRedirects       engine.Text `json:"disableRedirects"`
	CACertTemplate         engine.Text `json:"caCertTemplate"`
	ErrorBehavior          string      `json:"errorBehavior"`
	ErrorPath              string      `json:"errorPath"`
}

func buildHTTP(c *engine.NodeConfig) (engine.Node, error) {
	var cfg httpConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &httpNode{
		bodyType:    cfg.BodyType,
		authType:    cfg.AuthType,
		insecure:    cfg.DisableSSLVerification == "true",
		noRedirects: cfg.DisableRedirects == "true",
		catch:       cfg.ErrorBehavior == "payloadPath",
	}
	if n.bodyType == "" {
		n.bodyType = "string"
	}
	if n.authType == "" {
		n.authType = "none"
	}
	switch {
	case !slices.Contains(httpBodyTypes, n.bodyType):
		return nil, engine.Errorf("Validation", "bodyType must be one of %v", httpBodyTypes)
	case n.bodyType == "url" || n.bodyType == "diskPath":
		return nil, engine.Errorf("Validation", "bodyType %s is not supported", n.bodyType)
	case !slices.Contains(httpAuthTypes, n.authType):
		return nil, engine.Errorf("Validation", "authType must be one of %v", httpAuthTypes)
	case cfg.ErrorBehavior != "" && !slices.Contains(httpErrorBehaviors, cfg.ErrorBehavior):
		return nil, engine.Errorf("Validation", "errorBehavior must be one of %v", httpErrorBehaviors)
	case strings.TrimSpace(string(cfg.URITemplate)) == "":
		return nil, engine.Errorf("Validation", "URL template is required")
	}
	if m := strings.ToUpper(strings.TrimSpace(string(cfg.Method))); !strings.Contains(m, "{{") && m != "" && !slices.Contains(httpMethods, m) {
		return nil, engine.Errorf("Validation", "method must be one of %v", httpMethods)
	}
	var err error
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.method, "method", cfg.Method},
		{&n.uri, "uriTemplate", cfg.URITemplate},
		{&n.body, "bodyTemplate", cfg.BodyTemplate},
		{&n.bodyEnc, "requestEncodingTemplate", cfg.RequestEncodingTemplate},
		{&n.encoding, "encodingTemplate", cfg.EncodingTemplate},
		{&n.timeout, "timeoutTemplate", cfg.TimeoutTemplate},
		{&n.caCert, "caCertTemplate", cfg.CACertTemplate},
		{&n.user, "authCredentials.usernameTemplate", cfg.AuthCredentials.UsernameTemplate},
		{&n.password, "authCredentials.passwordTemplate", cfg.AuthCredentials.PasswordTemplate},
		{&n.clientKey, "authCredentials.keyTemplate", cfg.AuthCredentials.KeyTemplate},
		{&n.clientCert, "authCredentials.certTemplate", cfg.AuthCredentials.CertTemplate},
		{&n.credential, "credentialNameTemplate", cfg.CredentialNameTemplate},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	for i, h := range cfg.HeaderInfo {
		key := strings.TrimSpace(string(h.Key))
		if key == "" {
			key = strings.TrimSpace(string(h.KeyTemplate))
		}
		if key == "" {
			continue
		}
		if strings.Contains(key, "{{") {
			return nil, engine.Errorf("Validation", "headerInfo[%d].key must be a static header name", i)
		}
		if !validHeaderName(key) {
			return nil, engine.Errorf("Validation", "headerInfo[%d].key %q is not a valid header name", i, key)
		}
		v, err := engine.CompileTemplate(fmt.Sprintf("headerInfo[%d].valueTemplate", i), string(h.ValueTemplate))
		if err != nil {
			return nil, err
		}
		n.headers = append(n.headers, httpHeader{key, v})
	}
	for i, f := range cfg.BodyFields {
		k, err := engine.CompileTemplate(fmt.Sprintf("bodyFields[%d].keyTemplate", i), string(f.KeyTemplate))
		if err != nil {
			return nil, err
		}
		v, err := engine.CompileTemplate(fmt.Sprintf("bodyFields[%d].valueTemplate", i), string(f.ValueTemplate))
		if err != nil {
			return nil, err
		}
		n.fields = append(n.fields, httpField{k, v})
	}
	if n.responsePath, n.hasResponse, err = engine.CompilePath("responsePath", cfg.ResponsePath, false); err != nil {
		return nil, err
	}
	if n.catch {
		if n.errorPath, _, err = engine.CompilePath("errorPath", cfg.ErrorPath, true); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// httpRequest is a request ready to send, with the echo Losant puts on the
// payload.
type httpRequest struct {
	method, uri  string
	header       http.Header
	body         []byte
	timeout      time.Duration
	user, pass   string
	basic        bool
	tls          tlsOptions
	responseEnc  string
	echoHeaders  map[string]any
	parsedURL    *url.URL
	urlErr       error
	insecureEcho bool
}

// Exec sends the request and stores the response; transport errors throw or
// go to errorPath, template and configuration errors always throw.
func (n *httpNode) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	req, err := n.prepare(p)
	if err != nil {
		return 0, err
	}
	req.tls.egress, req.tls.own = env.Egress, env.Own
	start := time.Now()
	resp, err := n.send(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, context.Cause(ctx)
		}
		ne := httpError(err, req)
		if !n.catch {
			return 0, engine.Errorf(ne["name"].(string), "%s", ne["message"])
		}
		if err := n.errorPath.Set(p, map[string]any{"error": ne, "request": req.echo()}); err != nil {
			return 0, engine.Errorf("Validation", "errorPath: %v", err)
		}
		return 0, nil
	}
	if n.hasResponse {
		resp["requestDuration"] = float64(time.Since(start).Milliseconds())
		resp["request"] = req.echo()
		if err := n.responsePath.Set(p, resp); err != nil {
			return 0, engine.Errorf("Validation", "responsePath: %v", err)
		}
	}
	return 0, nil
}

// prepare renders every field into a request.
func (n *httpNode) prepare(p engine.Payload) (*httpRequest, error) {
	r := renderer{p: p}
	req := &httpRequest{
		method:       strings.ToUpper(r.text(n.method, "method", "GET")),
		uri:          r.text(n.uri, "uriTemplate", ""),
		header:       http.Header{},
		echoHeaders:  map[string]any{},
		responseEnc:  strings.ToLower(r.text(n.encoding, "encodingTemplate", "utf8")),
		insecureEcho: n.insecure,
		tls:          tlsOptions{insecure: n.insecure, ca: r.text(n.caCert, "caCertTemplate", "")},
	}
	timeout := r.text(n.timeout, "timeoutTemplate", "")
	for _, h := range n.headers {
		v := r.text(h.value, "headerInfo.valueTemplate", "")
		req.header.Set(h.key, v)
		req.echoHeaders[h.key] = v
	}
	switch n.authType {
	case "basic":
		req.basic = true
		req.user = r.text(n.user, "authCredentials.usernameTemplate", "")
		req.pass = r.text(n.password, "authCredentials.passwordTemplate", "")
	case "clientCert":
		req.tls.key = r.text(n.clientKey, "authCredentials.keyTemplate", "")
		req.tls.cert = r.text(n.clientCert, "authCredentials.certTemplate", "")
	case "credential":
		name := r.text(n.credential, "credentialNameTemplate", "")
		if r.err == nil {
			return nil, engine.Errorf("NotFound", "Service credential %q was not found", name)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if req.uri == "" {
		return nil, engine.Errorf("Validation", "URL template rendered empty")
	}
	if !slices.Contains(httpMethods, req.method) {
		return nil, engine.Errorf("Validation", "method must be one of %v", httpMethods)
	}
	if !slices.Contains(httpEncodings, req.responseEnc) && req.responseEnc != "utf-8" {
		return nil, engine.Errorf("Validation", "Unsupported response encoding %q", req.responseEnc)
	}
	req.timeout = httpTimeout(timeout)
	req.parsedURL, req.urlErr = parseHTTPURL(req.uri)
	if req.method == "GET" || req.method == "HEAD" {
		return req, nil
	}
	if err := n.prepareBody(p, req); err != nil {
		return nil, err
	}
	return req, nil
}

// prepareBody renders the body for bodyType and sets its content type when
// the user did not.
func (n *httpNode) prepareBody(p engine.Payload, req *httpRequest) error {
	contentType := ""
	switch n.bodyType {
	case "none":
		return nil
	case "string":
		r := renderer{p: p}
		req.body = r.bytes(n.body, n.bodyEnc, "body")
		if r.err != nil {
			return r.err
		}
	case "jsonTemplate":
		v, err := n.body.RenderJSON(p)
		if err != nil {
			return engine.Errorf("Validation", "bodyTemplate: %v", err)
		}
		req.body = engine.EncodeValue(v)
		contentType = "application/json"
	case "urlencoded":
		var b strings.Builder
		for i, f := range n.fields {
			k, v, err := f.render(p)
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
		req.body = []byte(b.String())
		contentType = "application/x-www-form-urlencoded"
	case "multipart":
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range n.fields {
			k, v, err := f.render(p)
			if err != nil {
				return err
			}
			_ = w.WriteField(k, v)
		}
		_ = w.Close()
		req.body = b.Bytes()
		contentType = w.FormDataContentType()
	}
	if contentType != "" && req.header.Get("Content-Type") == "" {
		req.header.Set("Content-Type", contentType)
		req.echoHeaders["Content-Type"] = contentType
	}
	return nil
}

func (f httpField) render(p engine.Payload) (k, v string, err error) {
	if k, err = f.key.Render(p); err != nil {
		return "", "", engine.Errorf("Validation", "bodyFields.keyTemplate: %v", err)
	}
	if v, err = f.value.Render(p); err != nil {
		return "", "", engine.Errorf("Validation", "bodyFields.valueTemplate: %v", err)
	}
	return k, v, nil
}

// send performs the request within its timeout and reads the response.
func (n *httpNode) send(ctx context.Context, req *httpRequest) (map[string]any, error) {
	if req.urlErr != nil {
		return nil, req.urlErr
	}
	tr, closeAfter, err := httpTransports.get(req.tls)
	if err != nil {
		return nil, err
	}
	if closeAfter {
		defer tr.CloseIdleConnections()
	}
	ctx, cancel := context.WithTimeoutCause(ctx, req.timeout, errHTTPTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, req.parsedURL.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	if len(req.body) == 0 {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	hr.Header = req.header.Clone()
	if req.basic {
		hr.SetBasicAuth(req.user, req.pass)
	}
	client := &http.Client{Transport: httpRoundTripper(tr), CheckRedirect: n.checkRedirect}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, timeoutCause(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, httpMaxResponse+1))
	if err != nil {
		return nil, timeoutCause(ctx, err)
	}
	if len(data) > httpMaxResponse {
		return nil, errHTTPTooLarge
	}
	body, err := responseBody(data, req.responseEnc)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"statusCode": float64(resp.StatusCode),
		"headers":    responseHeaders(resp.Header),
		"body":       body,
	}, nil
}

// checkRedirect follows at most httpMaxRedirects redirects, only to http and
// https URLs, and none when redirects are disabled.
func (n *httpNode) checkRedirect(req *http.Request, via []*http.Request) error {
	if n.noRedirects {
		return http.ErrUseLastResponse
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to unsupported protocol %q", req.URL.Scheme)
	}
	if len(via) > httpMaxRedirects {
		return fmt.Errorf("exceeded maximum of %d redirects", httpMaxRedirects)
	}
	return nil
}

// echo is the request part of the result.
func (req *httpRequest) echo() map[string]any {
	h := make(map[string]any, len(req.echoHeaders))
	for k, v := range req.echoHeaders {
		h[k] = v
	}
	return map[string]any{"method": req.method, "uri": req.uri, "headers": h, "strictSSL": !req.insecureEcho}
}

var (
	errHTTPTimeout  = errors.New("request timed out")
	errHTTPTooLarge = errors.New("response exceeds 5 MB")
)

// timeoutCause replaces a context error caused by the node's own timeout
// with errHTTPTimeout.
func timeoutCause(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errHTTPTimeout) {
		return errHTTPTimeout
	}
	return err
}

// httpError describes a transport error like Node's request library: a
// name, a message and an errno-style code.
func httpError(err error, req *httpRequest) map[string]any {
	name, code, msg := "RequestError", "", err.Error()
	var dnsErr *net.DNSError
	var urlErr *url.Error
	var egressErr *egressError
	switch {
	case errors.Is(err, errHTTPTimeout):
		name, code = "TimeoutError", "ETIMEDOUT"
		msg = fmt.Sprintf("Request timed out after %gs", req.timeout.Seconds())
	case errors.Is(err, errHTTPTooLarge):
		name, code = "PayloadTooLarge", "EMSGSIZE"
	case errors.As(err, &egressErr):
		code, msg = "EACCES", egressErr.Error() // the address refused, a redirect's included
	case errors.Is(err, syscall.ECONNREFUSED):
		code = "ECONNREFUSED"
		if req.parsedURL != nil {
			msg = "connect ECONNREFUSED " + req.parsedURL.Host
		}
	case errors.Is(err, syscall.ECONNRESET):
		code, msg = "ECONNRESET", "socket hang up"
	case errors.As(err, &dnsErr):
		code, msg = "ENOTFOUND", "getaddrinfo ENOTFOUND "+dnsErr.Name
	case errors.As(err, &urlErr):
		msg = urlErr.Err.Error()
	}
	e := map[string]any{"name": name, "message": msg}
	if code != "" {
		e["code"] = code
	}
	return e
}

// httpTimeout reads the timeout template's text: blank, invalid or
// non-positive is the default, and anything above the maximum is clamped.
func httpTimeout(s string) time.Duration {
	f := js.ToNumber(s)
	if s == "" || !(f > 0) {
		return httpDefaultTimeout
	}
	if f >= httpMaxTimeout.Seconds() {
		return httpMaxTimeout
	}
	return time.Duration(f * float64(time.Second))
}

// parseHTTPURL accepts absolute http and https URLs only.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("Invalid URI %q", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("Invalid URI %q: protocol must be http or https", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("Invalid URI %q: no host", s)
	}
	return u, nil
}

// responseBody decodes the body: utf8 text parsed as JSON when it is JSON,
// or the bytes written in enc.
func responseBody(data []byte, enc string) (any, error) {
	if enc != "utf8" && enc != "utf-8" {
		return encodeBytes(data, enc)
	}
	text := strings.ToValidUTF8(string(data), "\uFFFD")
	if v, err := engine.DecodeValue([]byte(text)); err == nil && strings.TrimSpace(text) != "" {
		return v, nil
	}
	return text, nil
}

// responseHeaders lower-cases names; repeated headers are joined with ", "
// except set-cookie, which is always an array (as in Node).
func responseHeaders(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for k, vs := range h {
		k = strings.ToLower(k)
		if k == "set-cookie" {
			a := make([]any, len(vs))
			for i, v := range vs {
				a[i] = v
			}
			out[k] = a
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// validHeaderName reports whether s is an HTTP token.
func validHeaderName(s string) bool {
	for _, c := range s {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return s != ""
}

// tlsOptions are the per-request settings that need their own transport:
// TLS, and the egress policy its dialer enforces.
type tlsOptions struct {
	insecure      bool
	ca, cert, key string
	egress        engine.Egress
	own           *engine.OwnListeners
}

// transportCache shares one transport per distinct TLS setting, so that
// connections are reused; past httpMaxTransports settings it hands out
// throwaway transports.
type transportCache struct {
	mu sync.Mutex
	m  map[tlsOptions]*http.Transport
}

var httpTransports = &transportCache{m: map[tlsOptions]*http.Transport{}}

// get returns the transport for o and whether the caller must close its idle
// connections when done.
func (c *transportCache) get(o tlsOptions) (*http.Transport, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tr, ok := c.m[o]; ok {
		return tr, false, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: o.insecure}
	if o.ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(o.ca)) {
			return nil, false, errors.New("caCertTemplate holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	if o.cert != "" || o.key != "" {
		pair, err := tls.X509KeyPair([]byte(o.cert), []byte(o.key))
		if err != nil {
			return nil, false, fmt.Errorf("client certificate: %v", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr := newHTTPTransport(cfg, o.egress, o.own)
	if len(c.m) >= httpMaxTransports {
		return tr, true, nil
	}
	c.m[o] = tr
	return tr, false, nil
}

// newHTTPTransport is the shared transport: bounded dial, TLS and header
// waits, and a dialer that enforces egress; the request context bounds the
// whole exchange.
func newHTTPTransport(cfg *tls.Config, egress engine.Egress, own *engine.OwnListeners) *http.Transport {
	d := &net.Dialer{Timeout: httpDialTimeout, KeepAlive: 30 * time.Second, Control: egressControl(egress, own)}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   httpDialTimeout,
		ResponseHeaderTimeout: httpMaxTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		ForceAttemptHTTP2:     true,
	}
}

var _ engine.Node = (*httpNode)(nil)
