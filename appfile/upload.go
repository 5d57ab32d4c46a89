package appfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"sort"
)

// upload sends a created file's content the way Losant's files.post answer
// asks: a multipart form POST of the answer's upload.fields and the file to
// upload.url. The URL's path is sent to the same API handler; an answer
// without an upload (a directory) needs none.
func (r *importRun) upload(res *Resource, out Doc) error {
	up, _ := out["upload"].(map[string]any)
	raw, _ := up["url"].(string)
	if up == nil || raw == "" || res.Doc["type"] != "file" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("file %q: the upload url %q: %w", res.Name(), raw, err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields, _ := up["fields"].(map[string]any)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := fields[k].(string)
		if !ok {
			b, _ := json.Marshal(fields[k])
			v = string(b)
		}
		if err := mw.WriteField(k, v); err != nil {
			return err
		}
	}
	fw, err := mw.CreateFormFile("file", res.Doc["name"].(string))
	if err != nil {
		return err
	}
	if _, err := fw.Write(res.Content); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req := httptest.NewRequestWithContext(r.ctx, "POST", u.RequestURI(), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+r.im.Client.Token)
	if err := r.im.Client.send(req, nil); err != nil {
		return fmt.Errorf("file %q: uploading its content: %w", res.Name(), err)
	}
	return nil
}

// jsonMarshal is json.Marshal without HTML escaping, so that text keeps its
// characters.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
