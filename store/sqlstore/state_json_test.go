package sqlstore

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeFlat checks that whatever decodeFlat reads, encoding/json
// reads the same.
func FuzzDecodeFlat(f *testing.F) {
	for _, s := range []string{
		`{"temp":21.5,"label":"x","on":true}`, `{}`, ` { "a" : -0.5e-3 , "b":null } `, `{"a":01}`, `{"a":"\u00e9"}`,
		`{"a":1,}`, `{"a":{"b":1}}`, `{"a":[1]}`, `{"a":1e400}`, `{"a":"x","a":2}`, `{"a":-}`, `{"a":1.}`, `[1]`, `{"\xff":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := decodeFlat(s)
		if !ok {
			return
		}
		var want map[string]any
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("decodeFlat read %q, encoding/json refuses it: %v", s, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("decodeFlat(%q) (-json +flat):\n%s", s, diff)
		}
	})
}

func TestDecodeState(t *testing.T) {
	for _, s := range []string{`{"temp":21.5,"label":"x","on":true}`, `{"label":"a \"quoted\" word","n":-1E+2}`} {
		var want map[string]any
		_ = json.Unmarshal([]byte(s), &want)
		got, err := decodeState(s)
		if err != nil || !cmp.Equal(want, got) {
			t.Errorf("decodeState(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := decodeState(`{"a":`); err == nil {
		t.Error("decodeState of broken JSON: no error")
	}
}

func BenchmarkDecodeState(b *testing.B) {
	for range b.N {
		_, _ = decodeState(`{"label":"x","on":true,"temp":42}`)
	}
}
