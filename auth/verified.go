package auth

import (
	"sync"
	"time"
)

// maxVerified bounds the verified tokens a Signer remembers; when full, it
// forgets them all and starts again.
const maxVerified = 4096

// verified remembers the claims of tokens whose signature checked out, so
// that a client sending the same token on every request pays for the HMAC
// and the JSON decoding once. A signature that held once holds for as long
// as the key does; only the expiry depends on the clock, and it is checked
// on every use. Failed tokens are never remembered.
type verified struct {
	mu     sync.RWMutex
	claims map[string]*Claims
}

// get returns the remembered claims of token.
func (v *verified) get(token string) (*Claims, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	c, ok := v.claims[token]
	return c, ok
}

// put remembers the claims of token.
func (v *verified) put(token string, c *Claims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.claims == nil || len(v.claims) >= maxVerified {
		v.claims = make(map[string]*Claims)
	}
	v.claims[token] = c
}

// expired reports whether c's token has expired at now, as the JWT
// validation decides it: valid while now is before the expiry.
func (c *Claims) expired(now time.Time) bool {
	return c.ExpiresAt != nil && !now.Before(*c.ExpiresAt)
}
