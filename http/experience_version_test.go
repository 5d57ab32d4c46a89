package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

// TestExperienceVersionGlobals: the develop version's globals and
// unauthorized reply (weir's extension of Losant's schema, as Losant's
// exports carry them) are set by a patch, answered by get and list, left
// alone by a patch that does not name them, and removed by an empty list
// and null; a bad one is refused and changes nothing.
func TestExperienceVersionGlobals(t *testing.T) {
	h, _ := newViewHarness(t, 0)
	version := "/applications/" + h.appA + "/experience/versions/develop"
	globals := []any{map[string]any{"key": "title", "json": `"Acme | {{this}}"`}, map[string]any{"key": "limit", "json": "10", "description": "rows"}}
	reply := map[string]any{"type": "redirect", "statusCode": 302, "value": "/login?redirect={{request.path}}"}
	code, body := h.do("PATCH", version, h.tokA, map[string]any{"globals": globals, "unauthorizedReply": reply})
	if code != 200 {
		t.Fatalf("experienceVersion.patch = %d %s", code, body)
	}
	mustConform(t, "experienceVersion", body)
	want := func(what string, body []byte) {
		t.Helper()
		got := decode(t, body)
		if g, _ := json.Marshal(got["globals"]); string(g) != jsonText(t, globals) {
			t.Errorf("%s: globals = %s, want %s", what, g, jsonText(t, globals))
		}
		if r, _ := json.Marshal(got["unauthorizedReply"]); string(r) != jsonText(t, reply) {
			t.Errorf("%s: unauthorizedReply = %s, want %s", what, r, jsonText(t, reply))
		}
	}
	want("patch", body)
	_, body = h.do("GET", version, h.tokA, nil)
	want("get", body)
	code, body = h.do("GET", "/applications/"+h.appA+"/experience/versions", h.tokA, nil)
	if code != 200 {
		t.Fatalf("experienceVersions.get = %d %s", code, body)
	}
	mustConform(t, "experienceVersions", body)
	var list struct{ Items []json.RawMessage }
	if err := json.Unmarshal(body, &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("experienceVersions.get = %s", body)
	}
	want("list", list.Items[0])
	_, body = h.do("PATCH", version, h.tokA, map[string]any{"description": "other fields only"})
	want("a patch of other fields", body)

	for name, bad := range map[string]map[string]any{
		"ErrGlobalKey":          {"globals": []any{map[string]any{"key": "a b", "json": "1"}}},
		"ErrGlobalTwice":        {"globals": []any{map[string]any{"key": "a", "json": "1"}, map[string]any{"key": "a", "json": "2"}}},
		"ErrGlobalNotJSON":      {"globals": []any{map[string]any{"key": "a", "json": "{"}}},
		"ErrGlobalUnknownField": {"globals": []any{map[string]any{"key": "a", "json": "1", "value": 1}}},
		"ErrGlobalsNotList":     {"globals": map[string]any{"a": "1"}},
		"ErrReplyNotRedirect":   {"unauthorizedReply": map[string]any{"type": "page", "value": "login"}},
		"ErrReplyStatus":        {"unauthorizedReply": map[string]any{"type": "redirect", "value": "/login", "statusCode": 200}},
		"ErrReplyNoValue":       {"unauthorizedReply": map[string]any{"type": "redirect"}},
		"ErrReplyNotObject":     {"unauthorizedReply": "/login"},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := h.do("PATCH", version, h.tokA, bad)
			wantError(t, code, body, 400, weir.Validation, "")
			_, body = h.do("GET", version, h.tokA, nil)
			want("after a refused patch", body)
		})
	}

	code, body = h.do("PATCH", version, h.tokA, map[string]any{"globals": []any{}, "unauthorizedReply": nil})
	if code != 200 {
		t.Fatalf("removing them = %d %s", code, body)
	}
	got := decode(t, body)
	if g, ok := got["globals"].([]any); !ok || len(g) != 0 || got["unauthorizedReply"] != nil {
		t.Errorf("after removing them: %s, want globals [] and no unauthorizedReply", body)
	}
}

// TestEndpointAccessVersionReply: a request an endpoint without an
// unauthorized reply of its own refuses answers the experience version's
// redirect, rendered from the request; an endpoint's own reply wins; with
// neither, Losant's 401.
func TestEndpointAccessVersionReply(t *testing.T) {
	a := newAccessHarness(t)
	me := "/experience/" + a.appA + "/me?tab=a%20b"
	if resp, b := a.get(t, me, nil); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), `"type":"Unauthorized"`) {
		t.Fatalf("without a version reply = %d %s, want Losant's 401", resp.StatusCode, b)
	}
	if err := a.versions.UpdateExperienceVersion(t.Context(), &weir.ExperienceVersion{ApplicationID: a.appA,
		UnauthorizedReply: &weir.UnauthorizedReply{Type: "redirect", StatusCode: 303,
			Value: "/login?redirect={{encodeURIComponent request.path}}%3F{{encodeURIComponent (queryStringEncode request.query)}}"}}); err != nil {
		t.Fatal(err)
	}
	before := len(a.store.queued())
	resp, b := a.get(t, me, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?redirect=%2Fme%3Ftab%3Da%2520b" {
		t.Errorf("refused = %d to %q %s, want the version's 303 to /login?redirect=%%2Fme%%3Ftab%%3Da%%2520b", resp.StatusCode, resp.Header.Get("Location"), b)
	}
	if len(a.store.queued()) != before {
		t.Error("a refused request started a run")
	}
	resp, _ = a.get(t, "/experience/"+a.appA+"/staff", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next=/staff" {
		t.Errorf("an endpoint with its own reply = %d to %q, want its own redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// jsonText returns v as JSON text.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
