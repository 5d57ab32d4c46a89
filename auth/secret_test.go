package auth_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

func TestHashSecret(t *testing.T) {
	h, err := auth.HashSecret("s3cret")
	if err != nil {
		t.Fatalf("HashSecret: %v", err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "s3cret") {
		t.Fatalf("HashSecret = %q, want an argon2id PHC string without the secret", h)
	}
	h2, _ := auth.HashSecret("s3cret")
	if h == h2 {
		t.Errorf("two hashes of one secret are equal: salts are not random")
	}
	tests := []struct {
		name   string
		hash   string
		secret string
		want   bool
	}{
		{"OK", h, "s3cret", true},
		{"OKAgainRemembered", h, "s3cret", true},
		{"ErrWrongSecret", h, "s3cret ", false},
		{"ErrOtherHash", h2, "nope", false},
		{"ErrMalformed", "$argon2id$v=19$m=x$a$b", "s3cret", false},
		{"ErrEmpty", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := auth.CheckSecret(tc.hash, tc.secret); got != tc.want {
				t.Errorf("CheckSecret = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCheckSecretBoundsArgon checks that devices connecting together with
// one key do not each pay for argon2id (and hold its 19 MiB): at most one
// computation per slot, the others find the matched pair remembered.
func TestCheckSecretBoundsArgon(t *testing.T) {
	secret := weir.NewAccessSecret()
	hash, err := auth.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	before := auth.ArgonRuns()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if !auth.CheckSecret(hash, secret) {
				t.Error("the right secret did not match")
			}
		})
	}
	wg.Wait()
	if n := auth.ArgonRuns() - before; n > int64(auth.ArgonSlots()) {
		t.Errorf("16 concurrent checks of one pair computed argon2id %d times, want at most %d", n, auth.ArgonSlots())
	}
}
