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
	got, ok := jsonBody(in)
	if ok != (wantErr == nil) {
		t.Fatalf("jsonBody(%q) ok = %v, json.Unmarshal error = %v", in, ok, wantErr)
	}
	if !ok {
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
