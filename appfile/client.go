package appfile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"

	"github.com/weirhq/weir"
)

// Client calls a weir API handler in process, as one caller (the token).
type Client struct {
	Handler http.Handler
	Token   string
}

// APIError is an answer other than 2xx: the status and Losant's error body.
type APIError struct {
	Method, Path string
	Status       int
	Type         string `json:"type"`
	Message      string `json:"message"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Message)
}

// Unwrap returns, for a 4xx answer, weir's typed error of the same type
// and message, so that a caller passing the error on answers as the server
// did; a 5xx has none: it is the server's own failure.
func (e *APIError) Unwrap() error {
	if e.Status >= 500 || e.Type == "" {
		return nil
	}
	return weir.Errorf(weir.ErrorType(e.Type), "%s", e.Message)
}

// RouteMissing reports whether the server does not serve the route at all
// (it answers 404 naming the path, or 405), as opposed to a 404 for an
// object that does not exist.
func (e *APIError) RouteMissing() bool {
	return e.Status == http.StatusMethodNotAllowed ||
		(e.Status == http.StatusNotFound && e.Message == strings.SplitN(e.Path, "?", 2)[0]+" does not exist")
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, p string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequestWithContext(ctx, method, p, rd)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

// send runs req through the handler.
func (c *Client) send(req *http.Request, out any) error {
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	if w.Code < 200 || w.Code > 299 {
		e := &APIError{Method: req.Method, Path: req.URL.RequestURI(), Status: w.Code}
		if json.Unmarshal(w.Body.Bytes(), e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(w.Body.String())
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := decode(w.Body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: the answer is not JSON: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// contentType guesses a file's type from its name.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return strings.SplitN(t, ";", 2)[0]
	}
	return "application/octet-stream"
}

// raw GETs p and returns the answer's bytes.
func (c *Client) raw(ctx context.Context, p string) ([]byte, error) {
	req := httptest.NewRequestWithContext(ctx, "GET", p, nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	w := httptest.NewRecorder()
	c.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return nil, &APIError{Method: "GET", Path: p, Status: w.Code, Message: strings.TrimSpace(w.Body.String())}
	}
	return w.Body.Bytes(), nil
}
