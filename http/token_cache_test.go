package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir"
	weirhttp "github.com/weirhq/weir/http"
)

// TestTokenCacheRevokedHere disables, deletes and removes with their
// application tokens whose records the harness's TokenCache holds (its clock
// stands still, so nothing expires by itself): each is refused from the
// next request on.
func TestTokenCacheRevokedHere(t *testing.T) {
	h := newHarness(t)
	flows := "/applications/" + h.appA + "/flows"
	for name, revoke := range map[string]func(tok string){
		"disabled": func(tok string) {
			code, body := h.do("PATCH", "/applications/"+h.appA+"/tokens/"+h.tokenID(tok), h.user, map[string]any{"status": "inactive"})
			if code != 200 {
				t.Fatalf("PATCH token = %d %s", code, body)
			}
		},
		"deleted": func(tok string) {
			if code, body := h.do("DELETE", "/applications/"+h.appA+"/tokens/"+h.tokenID(tok), h.user, nil); code != 200 {
				t.Fatalf("DELETE token = %d %s", code, body)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			tok := h.token(weir.OwnerApplication, h.appA, "all.Application")
			if code, body := h.do("GET", flows, tok, nil); code != 200 {
				t.Fatalf("before: GET flows = %d %s", code, body)
			}
			revoke(tok)
			if code, _ := h.do("GET", flows, tok, nil); code != 401 {
				t.Errorf("after: GET flows = %d, want 401", code)
			}
		})
	}
	t.Run("application deleted", func(t *testing.T) {
		b := "/applications/" + h.appB
		if code, body := h.do("GET", b+"/flows", h.tokB, nil); code != 200 {
			t.Fatalf("before: GET flows = %d %s", code, body)
		}
		if code, body := h.do("DELETE", b, h.user, nil); code != 200 {
			t.Fatalf("DELETE application = %d %s", code, body)
		}
		if code, _ := h.do("GET", b+"/flows", h.tokB, nil); code != 401 {
			t.Errorf("after: GET flows = %d, want 401", code)
		}
	})
}

// TestTokenCacheRevokedElsewhere deletes a token through the harness's
// server while a second server on the same store (another process) holds
// its record: the second accepts it until its record is TTL old, then
// refuses it; an announcement (Drop) makes it refuse at once.
func TestTokenCacheRevokedElsewhere(t *testing.T) {
	h := newHarness(t)
	var clock atomic.Int64 // nanoseconds after testNow
	other := &weirhttp.TokenCache{Tokens: h.store, TTL: time.Second,
		Now: func() time.Time { return testNow.Add(time.Duration(clock.Load())) }}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens = h.store, h.store, other
	s.Signer, s.Now = h.signer, func() time.Time { return testNow }
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	get := func(tok string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/applications/"+h.appA+"/flows", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	revokeHere := func(tok string) {
		if code, body := h.do("DELETE", "/applications/"+h.appA+"/tokens/"+h.tokenID(tok), h.user, nil); code != 200 {
			t.Fatalf("DELETE token = %d %s", code, body)
		}
	}

	tok := h.token(weir.OwnerApplication, h.appA, "all.Application")
	if got := get(tok); got != 200 {
		t.Fatalf("before: %d, want 200", got)
	}
	revokeHere(tok)
	clock.Store(int64(999 * time.Millisecond))
	if got := get(tok); got != 200 {
		t.Errorf("within the TTL: %d, want 200 (the record is still cached)", got)
	}
	clock.Store(int64(time.Second))
	if got := get(tok); got != 401 {
		t.Errorf("after the TTL: %d, want 401", got)
	}

	tok = h.token(weir.OwnerApplication, h.appA, "all.Application")
	if got := get(tok); got != 200 {
		t.Fatalf("before: %d, want 200", got)
	}
	revokeHere(tok)
	other.Drop()
	if got := get(tok); got != 401 {
		t.Errorf("after an announcement: %d, want 401", got)
	}
}

// slowTokens is a token store whose reads wait for release.
type slowTokens struct {
	weir.TokenService
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (s *slowTokens) FindTokenByID(ctx context.Context, id string) (*weir.Token, error) {
	rec, err := s.TokenService.FindTokenByID(ctx, id)
	s.once.Do(func() { close(s.started); <-s.release })
	return rec, err
}

// TestTokenCacheLoadRacingChange reads a token record, then deletes the
// token through the cache before the read is kept: the cache does not keep
// the stale record, and the next request is refused.
func TestTokenCacheLoadRacingChange(t *testing.T) {
	h := newHarness(t)
	slow := &slowTokens{TokenService: h.store, started: make(chan struct{}), release: make(chan struct{})}
	c := &weirhttp.TokenCache{Tokens: slow, Now: func() time.Time { return testNow }}
	s := weirhttp.NewServer()
	s.Applications, s.Flows, s.Tokens = h.store, h.store, c
	s.Signer, s.Now = h.signer, func() time.Time { return testNow }
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	tok := h.token(weir.OwnerApplication, h.appA, "all.Application")
	get := func() int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/applications/"+h.appA+"/flows", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	first := make(chan int)
	go func() { first <- get() }()
	<-slow.started
	if err := c.DeleteToken(t.Context(), h.tokenID(tok)); err != nil {
		t.Fatal(err)
	}
	close(slow.release)
	if got := <-first; got != 200 {
		t.Errorf("request read before the deletion: %d, want 200", got)
	}
	if got := get(); got != 401 {
		t.Errorf("request after the deletion: %d, want 401", got)
	}
}
