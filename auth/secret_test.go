package auth_test

import (
	"strings"
	"testing"

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
