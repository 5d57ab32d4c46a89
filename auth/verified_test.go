package auth_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// TestVerifyRemembersOnlyWhatHolds: a token verified once is answered from
// memory, with its expiry still checked against the clock on every use; a
// token that failed, or one signed with another key, never is.
func TestVerifyRemembersOnlyWhatHolds(t *testing.T) {
	clock := now
	s := &auth.Signer{Key: []byte("0123456789abcdef0123456789abcdef"), Now: func() time.Time { return clock }}
	exp := now.Add(time.Hour).Truncate(time.Second)
	tok := mustSign(t, s, &weir.Token{ID: "5f0c0c0c0c0c0c0c0c0c0c01", OwnerID: "5f0c0c0c0c0c0c0c0c0c0c02",
		OwnerType: weir.OwnerUser, Scope: []string{"all.User"}, ExpirationDate: &exp})

	first, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	first.OwnerID = "changed by a caller"
	again, err := s.Verify(tok)
	if err != nil || again.OwnerID != "5f0c0c0c0c0c0c0c0c0c0c02" {
		t.Fatalf("second Verify = %+v, %v; want the token's own claims", again, err)
	}

	clock = exp.Add(-time.Millisecond)
	if _, err := s.Verify(tok); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	clock = exp
	if _, err := s.Verify(tok); weir.ErrorMessage(err) != "Access token has expired" {
		t.Fatalf("at expiry: %v, want expired", err)
	}

	other := &auth.Signer{Key: []byte("another key, another key, another"), Now: s.Now}
	clock = now
	if _, err := other.Verify(tok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Fatalf("another key accepted the token: %v", err)
	}
	tampered := tok[:len(tok)-2] + "xx"
	for range 2 {
		if _, err := s.Verify(tampered); weir.ErrorMessage(err) != "Invalid access token" {
			t.Fatalf("tampered token: %v", err)
		}
	}
}
