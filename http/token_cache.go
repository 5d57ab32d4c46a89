package http

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// DefaultTokenTTL is how long a TokenCache keeps a token record when its TTL
// is 0: the longest another process sharing the store can go on accepting a
// token this one deleted or disabled, when no announcement reaches it.
const DefaultTokenTTL = time.Second

// TokenCache is a weir.TokenService that also keeps the token records that
// authenticated requests in memory, so that a request does not read its
// token's record from the store every time. Set its fields, then use it as
// Server.Tokens; the fields must not change afterwards. It is safe for
// concurrent use.
//
// The bound: a token deleted or changed through this cache (the API's token
// routes, and the deletion of an application with its tokens) is refused
// from the next request on, since the change drops the record before it
// answers. A change made by another process sharing the store is seen once
// the record is older than TTL, or at once when that process's announcement
// reaches Drop (OnChange, wired to the cluster's cache announcements).
// Expiry is checked against the clock on every request, cached or not.
//
// FindTokenByID and FindTokens always read the store, so that the token
// routes read and update the current record.
type TokenCache struct {
	Tokens weir.TokenService
	TTL    time.Duration    // 0 means DefaultTokenTTL
	Now    func() time.Time // nil means time.Now

	// OnChange, when set, is called after every token change made through
	// the cache (update, delete, Drop by this process's API), so that the
	// other processes drop theirs.
	OnChange func()

	mu   sync.Mutex
	gen  uint64 // bumped by every forget; a load started before it is not kept
	recs map[string]cachedToken
}

// cachedToken is a token record and when it was read.
type cachedToken struct {
	rec  *weir.Token
	read time.Time
}

// FindTokenByID reads the record from the store.
func (c *TokenCache) FindTokenByID(ctx context.Context, id string) (*weir.Token, error) {
	return c.Tokens.FindTokenByID(ctx, id)
}

// FindTokens reads one page of an owner's tokens from the store.
func (c *TokenCache) FindTokens(ctx context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	return c.Tokens.FindTokens(ctx, filter)
}

// CreateToken stores a new record; nothing cached changes.
func (c *TokenCache) CreateToken(ctx context.Context, t *weir.Token) error {
	return c.Tokens.CreateToken(ctx, t)
}

// UpdateToken updates the record, then drops its cached copy.
func (c *TokenCache) UpdateToken(ctx context.Context, t *weir.Token) error {
	err := c.Tokens.UpdateToken(ctx, t)
	c.changed(t.ID)
	return err
}

// DeleteToken deletes the record, then drops its cached copy.
func (c *TokenCache) DeleteToken(ctx context.Context, id string) error {
	err := c.Tokens.DeleteToken(ctx, id)
	c.changed(id)
	return err
}

// Changed drops every cached record and tells the other processes to do
// the same; call it after a change that removes tokens without going
// through the cache (deleting an application).
func (c *TokenCache) Changed() { c.changed("") }

// Drop drops every cached record, for another process's announcement.
func (c *TokenCache) Drop() { c.forget("") }

// changed forgets id ("" for all), also when the store failed (the change
// may have been committed), and announces it.
func (c *TokenCache) changed(id string) {
	c.forget(id)
	if c.OnChange != nil {
		c.OnChange()
	}
}

// forget drops the record of id, or every record when id is "".
func (c *TokenCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id == "" {
		c.recs = nil
		return
	}
	delete(c.recs, strings.ToLower(id))
}

// cachedToken returns the record of id from memory when it was read less
// than TTL ago, else from the store (keeping it unless a change was
// forgotten meanwhile). The caller may not modify the record.
func (c *TokenCache) cachedToken(ctx context.Context, id string) (*weir.Token, error) {
	key := strings.ToLower(id)
	now := c.now()
	c.mu.Lock()
	e, ok := c.recs[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.read) < c.ttl() && !now.Before(e.read) {
		return e.rec, nil
	}
	rec, err := c.Tokens.FindTokenByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rec = cloneToken(rec)
	c.mu.Lock()
	if c.gen == gen {
		if c.recs == nil {
			c.recs = make(map[string]cachedToken)
		}
		c.recs[key] = cachedToken{rec: rec, read: now}
	}
	c.mu.Unlock()
	return rec, nil
}

func (c *TokenCache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTokenTTL
}

func (c *TokenCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// cloneToken returns a copy of t that shares nothing with it.
func cloneToken(t *weir.Token) *weir.Token {
	cp := *t
	cp.Scope = slices.Clone(t.Scope)
	if t.ExpirationDate != nil {
		exp := *t.ExpirationDate
		cp.ExpirationDate = &exp
	}
	return &cp
}
