package http

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/weirhq/weir"
)

// requestData is what webhook and endpoint runs' data share (engine.md §3).
type requestData struct {
	Path    string            `json:"path"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Query   map[string]any    `json:"query"`
	Body    any               `json:"body"`
}

// readRequestData builds the request part of a webhook or endpoint run's
// data from r: its path below the public URL's root (the {path...}
// wildcard), lowercase method, headers with lowercase names and no cookie
// (repeated headers joined by ", "), query and parsed body. A body over
// MaxWebhookBodyBytes is PayloadTooLarge.
func readRequestData(w http.ResponseWriter, r *http.Request) (*requestData, error) {
	b, err := readBody(w, r, MaxWebhookBodyBytes, "body")
	if err != nil {
		return nil, err
	}
	d := &requestData{
		Path:    "/" + r.PathValue("path"),
		Method:  strings.ToLower(r.Method),
		Headers: map[string]string{},
		Query:   formValues(r.URL.Query()),
	}
	for k, vs := range r.Header {
		if k = strings.ToLower(k); k != "cookie" {
			d.Headers[k] = strings.Join(vs, ", ")
		}
	}
	if r.Host != "" {
		d.Headers["host"] = r.Host
	}
	if d.Body, err = parseRequestBody(r.Header.Get("Content-Type"), b); err != nil {
		return nil, err
	}
	return d, nil
}

// parseRequestBody parses a request body by its content type: JSON,
// urlencoded and multipart forms become values, anything else stays text;
// an empty body is null. JSON a run cannot carry is Validation.
func parseRequestBody(contentType string, b []byte) (any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return jsonBody(b)
	case mt == "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "body is not a valid urlencoded form")
		}
		return formValues(q), nil
	case mt == "multipart/form-data":
		return multipartValues(b, params["boundary"])
	}
	return string(b), nil
}

// multipartValues reads a multipart form: each part, a field or a file, is
// named by its form name and valued by its content as text.
func multipartValues(b []byte, boundary string) (any, error) {
	if boundary == "" {
		return nil, weir.Errorf(weir.Validation, "multipart body has no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(b), boundary)
	form := url.Values{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, weir.Errorf(weir.Validation, "body is not a valid multipart form")
		}
		if name := p.FormName(); name != "" {
			form.Add(name, string(v))
		}
	}
	return formValues(form), nil
}

// formValues turns query or form values into an object: a key given once
// maps to its string, a repeated key to the array of its strings.
func formValues(q url.Values) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			out[k] = vs[0]
			continue
		}
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = v
		}
		out[k] = arr
	}
	return out
}

// requestHead is the part of requestData encoded by encoding/json: all but
// the body.
type requestHead struct {
	Path    string            `json:"path"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Query   map[string]any    `json:"query"`
}

// encode returns the run data document of d followed by the fields of
// extra (a struct whose requestData is not encoded, or nil), as
// json.Marshal of the whole would, except that a JSON body is written as it
// came: json.Marshal would scan it again to compact it, and jsonBody has
// checked it already.
func (d *requestData) encode(extra any) ([]byte, error) {
	b, err := json.Marshal(requestHead{Path: d.Path, Method: d.Method, Headers: d.Headers, Query: d.Query})
	if err != nil {
		return nil, err
	}
	b = append(b[:len(b)-1], `,"body":`...)
	if raw, ok := d.Body.(json.RawMessage); ok {
		b = append(b, raw...)
	} else {
		body, err := json.Marshal(d.Body)
		if err != nil {
			return nil, err
		}
		b = append(b, body...)
	}
	if extra != nil {
		more, err := json.Marshal(extra)
		if err != nil {
			return nil, err
		}
		if len(more) > 2 { // not {}
			b = append(append(b, ','), more[1:len(more)-1]...)
		}
	}
	return append(b, '}'), nil
}
