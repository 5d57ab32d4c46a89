package http

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestJSONBodyRefusesWhatDecodingRefuses: a webhook body is accepted
// exactly when it decodes, and the run decodes it to the same value.
func TestJSONBodyRefusesWhatDecodingRefuses(t *testing.T) {
	for _, in := range []string{
		`{"value":75}`, `[1, 2.5, -0, 1e308, -1.7976931348623157e308]`, `"text"`, `null`, `true`,
		`{"a":"1e400 in a string","b":"\"quoted\" \\ 1e999"}`, `{"n":1e400}`, `[-1e309]`, `[1E+400]`,
		`{"x":` + strings.Repeat("9", 400) + `}`, `{"x":0.` + strings.Repeat("1", 400) + `}`,
		`{"a":1,"a":2}`, `{"bad":}`, `{"open":`, `[1,]`, "\"\xff\xfe\"", `{"k":"é\u00e9"}`, `1e-400`,
	} {
		checkJSONBody(t, []byte(in))
	}
}

// FuzzJSONBody holds jsonBody to encoding/json on any input.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []string{`{"value":75}`, `[1e400]`, `"a\"1e999"`, "\"\xff\"", `{"a":[{"b":-0.5e-3}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkJSONBody)
}

// checkJSONBody fails t unless jsonBody accepts in exactly when
// json.Unmarshal does and what it returns decodes to the same value.
func checkJSONBody(t *testing.T, in []byte) {
	var want any
	wantErr := json.Unmarshal(in, &want)
	got, err := jsonBody(in)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("jsonBody(%q) error = %v, json.Unmarshal error = %v", in, err, wantErr)
	}
	if err != nil {
		return
	}
	enc, err := json.Marshal(map[string]any{"body": got}) // as the run's data is encoded
	if err != nil {
		t.Fatalf("encode %q: %v", in, err)
	}
	var dec struct{ Body any }
	if err := json.Unmarshal(enc, &dec); err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	if !reflect.DeepEqual(dec.Body, want) {
		t.Fatalf("body %q decodes to %#v, want %#v", in, dec.Body, want)
	}
}

// TestRequestDataEncode: a run's data holds the request's fields, the body
// (kept JSON text or a parsed value) and the trigger's own fields.
func TestRequestDataEncode(t *testing.T) {
	rd := func(body any) *requestData {
		return &requestData{Path: "/p", Method: "post", Headers: map[string]string{"x-q": `"body":0 <&>`},
			Query: map[string]any{"a": "1"}, Body: body}
	}
	head := `"path":"/p","method":"post","headers":{"x-q":"\"body\":0 <&>"},"query":{"a":"1"}`
	for _, c := range []struct {
		name string
		data interface{ encode(any) ([]byte, error) }
		want string
	}{
		{"webhook raw body", &webhookData{requestData: rd(json.RawMessage(`{"v": [1, 2.50]}`)), ReplyID: "r"},
			`{` + head + `,"body":{"v":[1,2.5]},"replyId":"r"}`},
		{"webhook no reply", &webhookData{requestData: rd(nil)}, `{` + head + `,"body":null}`},
		{"endpoint form body", &endpointData{requestData: rd(map[string]any{"f": "v"}), Params: map[string]string{"id": "7"},
			Cookies: map[string]string{}, ReplyID: "e"},
			`{` + head + `,"body":{"f":"v"},"params":{"id":"7"},"cookies":{},"replyId":"e"}`},
		{"request text body", &requestTriggerData{requestData: rd("text"), Params: map[string]string{}, Cookies: map[string]string{"c": "1"}},
			`{` + head + `,"body":"text","params":{},"cookies":{"c":"1"},"replyId":""}`},
	} {
		got, err := c.data.encode(c.data)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %s is not JSON: %v", c.name, got, err)
		}
		json.Unmarshal([]byte(c.want), &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: encode = %s, want %s", c.name, got, c.want)
		}
	}
}
