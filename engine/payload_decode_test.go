package engine

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeCases are JSON texts, valid and not, that DecodeValue must decode
// as encoding/json does.
var decodeCases = []string{
	`{"value":75}`, `[1, 2.5, -0, 1e308, 5e-324, 0.1, 123456789012345678901234567890]`, `"text"`, `null`, `true`,
	`{"a":1,"a":2}`, `{"k":"é\u00e9\ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t"}`, "\"\xff\xfe invalid utf-8\"",
	`"\ud800 lone surrogate"`, `{"n":1e400}`, `{"bad":}`, `{"open":`, `[1,]`, `01`, `1.`, `-`, `{"a" 1}`,
	`{"deep":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, ` {"ws" : [ 1 , {} ] } `, `[] x`,
	`{"headers":{"content-type":"application/json"},"query":{},"body":{"items":"[{\"id\":0}]"}}`,
}

// TestDecodeValueMatchesEncodingJSON checks DecodeValue against
// encoding/json on decodeCases.
func TestDecodeValueMatchesEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecodeValue(t, []byte(c))
	}
}

// FuzzDecodeValue holds DecodeValue to encoding/json on any input.
func FuzzDecodeValue(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkDecodeValue)
}

// checkDecodeValue fails t unless DecodeValue(in) and json.Unmarshal
// agree: the same error, or the same value.
func checkDecodeValue(t *testing.T, in []byte) {
	if len(in) == 0 {
		return // DecodeValue's own case: undefined
	}
	var want any
	wantErr := json.Unmarshal(in, &want)
	got, err := DecodeValue(in)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("DecodeValue(%q) error %v, encoding/json %v", in, err, wantErr)
	case err != nil && err.Error() != wantErr.Error():
		t.Fatalf("DecodeValue(%q) error %q, encoding/json %q", in, err, wantErr)
	case err == nil && !sameJSONValue(got, want):
		t.Fatalf("DecodeValue(%q) = %#v, encoding/json %#v", in, got, want)
	}
}

// sameJSONValue is reflect.DeepEqual that also tells -0 from 0.
func sameJSONValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && a == b && math.Signbit(a) == math.Signbit(b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSONValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !sameJSONValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// BenchmarkDecodeValue decodes a webhook run's data (envelope and a
// 100-reading body) with DecodeValue and, for the ratio, encoding/json.
func BenchmarkDecodeValue(b *testing.B) {
	var items []string
	for i := range 100 {
		items = append(items, `{"id":`+strings.Repeat("1", i%7+1)+`,"group":"g`+string(rune('0'+i%5))+`","value":12.333333333333334,"ts":1700000000000}`)
	}
	data := []byte(`{"path":"/","method":"post","headers":{"content-type":"application/json","host":"127.0.0.1:8080",` +
		`"user-agent":"bench"},"query":{},"body":{"readings":[` + strings.Join(items, ",") + `]},"replyId":"x.y"}`)
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeValue", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeValue(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// deepCases nest arrays and objects at encoding/json's depth limit and
// one past it.
func deepCases() []string {
	var out []string
	for _, n := range []int{10000, 10001} {
		out = append(out, strings.Repeat("[", n)+strings.Repeat("]", n),
			strings.Repeat(`{"a":`, n-1)+"{}"+strings.Repeat("}", n-1))
	}
	return out
}

// TestDecodableMatchesEncodingJSON checks Decodable and DecodeValue
// against encoding/json on decodeCases and at the depth limit.
func TestDecodableMatchesEncodingJSON(t *testing.T) {
	for _, c := range append(decodeCases, deepCases()...) {
		checkDecodable(t, []byte(c))
		checkDecodeValue(t, []byte(c))
	}
}

// FuzzDecodable holds Decodable to encoding/json on any UTF-8 input.
func FuzzDecodable(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkDecodable)
}

// checkDecodable fails t unless Decodable(in) reports whether
// json.Unmarshal decodes the UTF-8 text in.
func checkDecodable(t *testing.T, in []byte) {
	if !utf8.Valid(in) {
		if Decodable(in) {
			t.Fatalf("Decodable(%q) = true for text that is not UTF-8", in)
		}
		return
	}
	var v any
	want := json.Unmarshal(in, &v) == nil
	if got := Decodable(in); got != want {
		t.Fatalf("Decodable(%q) = %v, encoding/json decodes it: %v", in, got, want)
	}
}
