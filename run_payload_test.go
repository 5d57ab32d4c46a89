package weir_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
)

// TestKeepRunPayload: credentials are redacted at any depth, the rest is
// kept as it was, and a payload over the bound is not kept, saying why.
func TestKeepRunPayload(t *testing.T) {
	t.Run("Redacts", func(t *testing.T) {
		run := &weir.Run{TriggerType: "webhook", TriggerKey: "w1", TriggerID: "w1",
			Data: json.RawMessage(`{"headers":{"authorization":"Bearer abc","x-api-key":"k","content-type":"application/json",
				"cookie":"a=b"},"cookies":{"sid":"s1","theme":"dark"},"query":{"access_token":"t","page":"2","key":"g"},
				"body":{"author":"Jane","temp":41.50,"items":[{"password":"p","n":1}]}}`),
			Experience: json.RawMessage(`{"user":{"email":"a@b.c"},"authInfo":null}`)}
		p := weir.KeepRunPayload(run)
		if !p.Kept || p.Reason != "" {
			t.Fatalf("kept %v, reason %q", p.Kept, p.Reason)
		}
		var got any
		if err := json.Unmarshal(p.Data, &got); err != nil {
			t.Fatal(err)
		}
		var want any
		_ = json.Unmarshal([]byte(`{"headers":{"authorization":"[redacted]","x-api-key":"[redacted]",
			"content-type":"application/json","cookie":"[redacted]"},"cookies":{"sid":"[redacted]","theme":"[redacted]"},
			"query":{"access_token":"[redacted]","page":"2","key":"[redacted]"},
			"body":{"author":"Jane","temp":41.50,"items":[{"password":"[redacted]","n":1}]}}`), &want)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("data (-want +got):\n%s", d)
		}
		if !strings.Contains(string(p.Data), `"temp":41.50`) {
			t.Errorf("a number changed: %s", p.Data)
		}
		wantPaths := []string{"data.body.items[0].password", "data.cookies", "data.headers.authorization",
			"data.headers.cookie", "data.headers.x-api-key", "data.query.access_token", "data.query.key"}
		if d := cmp.Diff(wantPaths, p.Redacted); d != "" {
			t.Errorf("redacted (-want +got):\n%s", d)
		}
		if string(p.Experience) != `{"user":{"email":"a@b.c"},"authInfo":null}` {
			t.Errorf("experience %s", p.Experience)
		}
		if p.Size != len(p.Data)+len(p.Experience) || p.TriggerType != "webhook" || p.TriggerKey != "w1" {
			t.Errorf("payload %+v", p.Note())
		}
	})
	t.Run("EscapedName", func(t *testing.T) {
		p := weir.KeepRunPayload(&weir.Run{Data: json.RawMessage(`{"\u0074oken":"t","n":"\u00e9"}`)})
		if string(p.Data) != `{"n":"é","token":"[redacted]"}` {
			t.Errorf("data %s, want the escaped token name redacted", p.Data)
		}
	})
	t.Run("NoCredentialKeptVerbatim", func(t *testing.T) {
		p := weir.KeepRunPayload(&weir.Run{Data: json.RawMessage(`{ "b": 1, "a": [true, null] }`)})
		if string(p.Data) != `{"b":1,"a":[true,null]}` || p.Redacted != nil {
			t.Errorf("data %s, redacted %v", p.Data, p.Redacted)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		big := `{"s":"` + strings.Repeat("x", weir.MaxKeptPayload) + `"}`
		p := weir.KeepRunPayload(&weir.Run{TriggerType: "virtualButton", TriggerKey: "b", Data: json.RawMessage(big)})
		if p.Kept || p.Data != nil || p.Size != len(big) || !strings.Contains(p.Reason, "over the 65536") {
			t.Errorf("payload %+v", p.Note())
		}
	})
}

// FuzzKeepRunPayload: for any JSON data, KeepRunPayload never panics, and
// what it keeps is JSON in which no credential-named key holds anything
// but "[redacted]" (or null).
func FuzzKeepRunPayload(f *testing.F) {
	f.Add(`{"headers":{"authorization":"Bearer x"},"body":[{"token":{"a":1}}]}`)
	f.Add(`{"\u0074oken":"t"}`)
	f.Add(`[1,"key",{"key":null}]`)
	f.Fuzz(func(t *testing.T, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		p := weir.KeepRunPayload(&weir.Run{Data: json.RawMessage(data)})
		if !p.Kept {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(p.Data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("kept data %q is not JSON: %v", p.Data, err)
		}
		var check func(v any, under bool)
		check = func(v any, under bool) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					check(e, under || credentialName(k))
				}
			case []any:
				for _, e := range v {
					check(e, under)
				}
			default:
				if under && v != nil && v != weir.Redacted {
					t.Fatalf("kept %q under a credential name in %s", v, p.Data)
				}
			}
		}
		check(v, false)
	})
}

// credentialName mirrors the names KeepRunPayload documents as credentials.
func credentialName(k string) bool {
	k = strings.ToLower(k)
	switch k {
	case "auth", "key", "sig", "pass", "pwd":
		return true
	}
	for _, w := range []string{"authoriz", "authenticat", "cookie", "token", "secret", "password", "passwd",
		"apikey", "api-key", "api_key", "session", "signature", "credential", "private"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
