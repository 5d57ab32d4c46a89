package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newSigner(key string) *auth.Signer {
	return &auth.Signer{Key: []byte(key), Now: func() time.Time { return now }}
}

func mustSign(t *testing.T, s *auth.Signer, tok *weir.Token) string {
	t.Helper()
	str, err := s.Sign(tok)
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}
	return str
}

func TestSigner_RoundTrip(t *testing.T) {
	s := newSigner("0123456789abcdef0123456789abcdef")
	exp := now.Add(time.Hour)
	tests := []struct {
		name string
		tok  weir.Token
		want auth.Claims
	}{
		{
			name: "OK",
			tok:  weir.Token{ID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c02", OwnerType: weir.OwnerApplication, Scope: []string{"all.Application"}},
			want: auth.Claims{TokenID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c02", OwnerType: weir.OwnerApplication, Scope: []string{"all.Application"}},
		},
		{
			name: "OKWithExpiry",
			tok:  weir.Token{ID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c03", OwnerType: weir.OwnerUser, Scope: []string{"all.User"}, ExpirationDate: &exp},
			want: auth.Claims{TokenID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c03", OwnerType: weir.OwnerUser, Scope: []string{"all.User"}, ExpiresAt: &exp},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Verify(mustSign(t, s, &tc.tok))
			if err != nil {
				t.Fatalf("Verify() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, *got); diff != "" {
				t.Errorf("Verify() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSigner_Verify_Rejects(t *testing.T) {
	s := newSigner("0123456789abcdef0123456789abcdef")
	tok := &weir.Token{ID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c02", OwnerType: weir.OwnerApplication, Scope: []string{"all.Application.read"}}
	good := mustSign(t, s, tok)
	parts := strings.Split(good, ".")

	// Tampered payload: widen the scope, keep the signature.
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	_ = json.Unmarshal(payload, &m)
	m["scope"] = []string{"all.User"}
	payload, _ = json.Marshal(m)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	// alg none with the same payload.
	noneHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	algNone := noneHdr + "." + parts[1] + "."

	// HS512 signed with the right key: still refused (only HS256).
	hs512Hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512","typ":"JWT"}`))
	hs512 := hs512Hdr + "." + parts[1] + "." + parts[2]

	past := now.Add(-time.Minute)
	expired := mustSign(t, s, &weir.Token{ID: tok.ID, OwnerID: tok.OwnerID, OwnerType: tok.OwnerType, ExpirationDate: &past})
	wrongKey := mustSign(t, newSigner("another key another key another!!"), tok)
	noOwnerType := mustSign(t, s, &weir.Token{ID: tok.ID, OwnerID: tok.OwnerID})

	tests := []struct {
		name    string
		token   string
		wantMsg string
	}{
		{"ErrTampered", tampered, "Invalid access token"},
		{"ErrAlgNone", algNone, "Invalid access token"},
		{"ErrAlgHS512", hs512, "Invalid access token"},
		{"ErrWrongKey", wrongKey, "Invalid access token"},
		{"ErrExpired", expired, "Access token has expired"},
		{"ErrGarbage", "not-a-jwt", "Invalid access token"},
		{"ErrEmpty", "", "Invalid access token"},
		{"ErrNoOwnerType", noOwnerType, "Invalid access token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Verify(tc.token)
			if got := weir.ErrorTypeOf(err); got != weir.Unauthorized {
				t.Fatalf("Verify() error type = %q (%v), want %q", got, err, weir.Unauthorized)
			}
			if got := weir.ErrorMessage(err); got != tc.wantMsg {
				t.Errorf("Verify() message = %q, want %q", got, tc.wantMsg)
			}
		})
	}
}

func TestSigner_NoKey(t *testing.T) {
	s := &auth.Signer{}
	if _, err := s.Sign(&weir.Token{ID: "5f0c0c0c0c0c0c0c0c0c0c01"}); err == nil {
		t.Error("Sign() with no key: error = nil, want error")
	}
	if _, err := s.Verify("x.y.z"); err == nil {
		t.Error("Verify() with no key: error = nil, want error")
	}
}

func TestNewKey(t *testing.T) {
	k1, err := auth.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := auth.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != auth.KeySize || cmp.Equal(k1, k2) {
		t.Errorf("NewKey() twice = %x, %x; want two different keys of %d bytes", k1, k2, auth.KeySize)
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	if key, err := auth.ReadKeyFile(dir); key != nil || err != nil {
		t.Fatalf("ReadKeyFile(no file) = %x, %v; want nil, nil", key, err)
	}
	want := []byte("0123456789abcdef0123456789abcdef")
	if err := os.WriteFile(filepath.Join(dir, auth.KeyFile), want, 0o600); err != nil {
		t.Fatal(err)
	}
	if key, err := auth.ReadKeyFile(dir); err != nil || !cmp.Equal(key, want) {
		t.Fatalf("ReadKeyFile() = %x, %v; want %x", key, err, want)
	}

	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, auth.KeyFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.ReadKeyFile(empty); err == nil {
		t.Error("ReadKeyFile(empty key file) error = nil, want error")
	}
}
