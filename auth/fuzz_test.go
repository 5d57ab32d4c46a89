package auth_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weirhq/weir"
)

const fuzzKey = "fuzz key fuzz key fuzz key 12345"

// fuzzRecords are the token records whose signed strings seed FuzzToken.
func fuzzRecords() []*weir.Token {
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	return []*weir.Token{
		{ID: "575ec8687ae143cd83dc4a97", OwnerID: "575ec8687ae143cd83dc4a98", OwnerType: weir.OwnerApplication, Scope: []string{"all.Application"}},
		{ID: "575ec8687ae143cd83dc4a99", OwnerID: "user", OwnerType: weir.OwnerUser, Scope: []string{"all.User"}, ExpirationDate: &future},
		{ID: "575ec8687ae143cd83dc4a9a", OwnerID: "575ec8687ae143cd83dc4a98", OwnerType: weir.OwnerApplication, Scope: []string{"flow.*", "flows.get"}, ExpirationDate: &past},
		{ID: "575ec8687ae143cd83dc4a9b", OwnerID: "575ec8687ae143cd83dc4a98", OwnerType: weir.OwnerApplication},
		{ID: "not an id", OwnerID: "x", OwnerType: weir.OwnerUser, Scope: []string{"all.User"}},
	}
}

// signingInput returns the header.payload part of a JWT, what its
// signature covers.
func signingInput(token string) string {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return token
	}
	return token[:i]
}

// FuzzToken checks Verify on arbitrary strings: it never panics, and it
// accepts only what Sign produced with its key, i.e. a string whose signed
// header and payload are those of a token Sign returned. The other inputs
// make a record that must survive Sign then Verify unchanged.
func FuzzToken(f *testing.F) {
	s := newSigner(fuzzKey)
	other := newSigner("another key another key another k")
	signed := map[string]bool{} // signing inputs of every token s signed
	b64 := base64.RawURLEncoding
	for _, rec := range fuzzRecords() {
		tok, err := s.Sign(rec)
		if err != nil {
			f.Fatal(err)
		}
		signed[signingInput(tok)] = true
		forged, err := other.Sign(rec)
		if err != nil {
			f.Fatal(err)
		}
		parts := strings.Split(tok, ".")
		for _, seed := range []string{
			tok, forged, signingInput(tok), signingInput(tok) + ".",
			b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
			b64.EncodeToString([]byte(`{"alg":"HS512","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2],
			parts[0] + "." + b64.EncodeToString([]byte(`{"jti":"575ec8687ae143cd83dc4a97","sub":"u","ownerType":"user","scope":["all.User"]}`)) + "." + parts[2],
			tok + "=", " " + tok, strings.ToUpper(tok),
		} {
			f.Add(seed, rec.OwnerID, strings.Join(rec.Scope, ","))
		}
	}
	f.Add("", "", "")
	f.Add("a.b.c", "owner", "all.User")
	f.Add("..", "o", ",")
	f.Fuzz(func(t *testing.T, token, ownerID, scope string) {
		c, err := s.Verify(token)
		if err == nil && !signed[signingInput(token)] {
			t.Fatalf("Verify accepted %q, which Sign did not produce (claims %+v)", token, c)
		}
		if err != nil && weir.ErrorTypeOf(err) != weir.Unauthorized {
			t.Fatalf("Verify(%q) error %v, want Unauthorized", token, err)
		}
		if err == nil && c == nil {
			t.Fatalf("Verify(%q) returned neither claims nor an error", token)
		}

		if !utf8.ValidString(ownerID) || !utf8.ValidString(scope) {
			return // JSON replaces invalid UTF-8, so such records do not round-trip
		}
		rec := &weir.Token{ID: "575ec8687ae143cd83dc4a9c", OwnerID: ownerID, OwnerType: weir.OwnerApplication}
		if scope != "" {
			rec.Scope = strings.Split(scope, ",")
		}
		tok, err := s.Sign(rec)
		if err != nil {
			t.Fatalf("Sign(%+v): %v", rec, err)
		}
		if _, err := other.Verify(tok); err == nil {
			t.Fatalf("a token signed with one key verifies with another: %q", tok)
		}
		got, err := s.Verify(tok)
		if ownerID == "" {
			if err == nil {
				t.Fatalf("Verify accepted a token without an owner: %q", tok)
			}
			return
		}
		if err != nil {
			t.Fatalf("Verify(Sign(%+v)): %v", rec, err)
		}
		if got.TokenID != rec.ID || got.OwnerID != rec.OwnerID || got.OwnerType != rec.OwnerType || !slices.Equal(got.Scope, rec.Scope) && len(got.Scope)+len(rec.Scope) > 0 {
			t.Fatalf("Verify(Sign(%+v)) = %+v", rec, got)
		}
	})
}
