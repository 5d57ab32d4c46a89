package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weirhq/weir"
)

// Claims is what a verified access token says about itself. The token record
// (weir.TokenService) stays the authority: callers must load it and check it
// still matches.
type Claims struct {
	TokenID   string
	OwnerID   string
	OwnerType string
	Scope     []string
	ExpiresAt *time.Time
}

// Signer issues and verifies HS256 access tokens with a shared secret key.
// It is safe for concurrent use once configured; Key must not change after
// the first Verify, which remembers the tokens it verified.
type Signer struct {
	Key []byte
	Now func() time.Time // nil: time.Now

	verified verified
}

// tokenClaims is the JWT payload: jti = token id, sub = owner id.
type tokenClaims struct {
	jwt.RegisteredClaims
	OwnerType string   `json:"ownerType"`
	Scope     []string `json:"scope"`
}

// Sign returns the signed JWT for the token record t.
func (s *Signer) Sign(t *weir.Token) (string, error) {
	if len(s.Key) == 0 {
		return "", errors.New("auth: signer has no key")
	}
	c := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:       t.ID,
			Subject:  t.OwnerID,
			IssuedAt: jwt.NewNumericDate(s.now()),
		},
		OwnerType: t.OwnerType,
		Scope:     t.Scope,
	}
	if c.Scope == nil {
		c.Scope = []string{}
	}
	if t.ExpirationDate != nil {
		c.ExpiresAt = jwt.NewNumericDate(*t.ExpirationDate)
	}
	str, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.Key)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return str, nil
}

// Verify checks token's HS256 signature and expiry and returns its claims.
// It returns Unauthorized "Access token has expired" for an expired token and
// Unauthorized "Invalid access token" for anything else that fails.
func (s *Signer) Verify(token string) (*Claims, error) {
	if len(s.Key) == 0 {
		return nil, errors.New("auth: signer has no key")
	}
	if c, ok := s.verified.get(token); ok {
		if c.expired(s.now()) {
			return nil, weir.Errorf(weir.Unauthorized, "Access token has expired")
		}
		out := *c // the caller's own copy
		return &out, nil
	}
	c, err := s.verify(token)
	if err == nil {
		s.verified.put(token, c)
		out := *c
		return &out, nil
	}
	return nil, err
}

// verify checks token's signature and claims with the JWT library.
func (s *Signer) verify(token string) (*Claims, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(token, &c,
		func(*jwt.Token) (any, error) { return s.Key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.now),
	)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, weir.Errorf(weir.Unauthorized, "Access token has expired")
	} else if err != nil {
		return nil, weir.Errorf(weir.Unauthorized, "Invalid access token")
	}
	if !weir.ValidID(c.ID) || c.Subject == "" || c.OwnerType == "" {
		return nil, weir.Errorf(weir.Unauthorized, "Invalid access token")
	}
	out := &Claims{TokenID: c.ID, OwnerID: c.Subject, OwnerType: c.OwnerType, Scope: c.Scope}
	if c.ExpiresAt != nil {
		t := c.ExpiresAt.Time
		out.ExpiresAt = &t
	}
	return out, nil
}

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
