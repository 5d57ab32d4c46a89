package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/ratelimit"
)

// memUsers is an in-memory weir.ExperienceUserService holding the users the
// tests need; the SQL stores pass the contract in store/storetest.
type memUsers struct {
	mu    sync.Mutex
	users map[string]*weir.ExperienceUser
}

func (m *memUsers) FindExperienceUserByID(_ context.Context, appID, id string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u := m.users[id]; u != nil && u.ApplicationID == appID {
		c := *u
		return &c, nil
	}
	return nil, weir.Errorf(weir.NotFound, "Experience user was not found")
}

func (m *memUsers) FindExperienceUserByEmail(_ context.Context, appID, email string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.ApplicationID == appID && u.Email == weir.NormalizeEmail(email) {
			c := *u
			return &c, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience user was not found")
}

func (m *memUsers) FindExperienceUsers(context.Context, weir.ExperienceUserFilter) ([]*weir.ExperienceUser, int, error) {
	return nil, 0, nil
}
func (m *memUsers) CreateExperienceUser(context.Context, *weir.ExperienceUser) error { return nil }
func (m *memUsers) UpdateExperienceUser(context.Context, *weir.ExperienceUser) error { return nil }
func (m *memUsers) DeleteExperienceUser(_ context.Context, _, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, id)
	return nil
}

func newExperience(t *testing.T) (*auth.Experience, *memUsers, *weir.ExperienceUser) {
	t.Helper()
	hash, err := auth.HashSecret("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	u := &weir.ExperienceUser{ID: weir.NewID(), ApplicationID: "app", Email: "ann@example.com", PasswordHash: hash}
	users := &memUsers{users: map[string]*weir.ExperienceUser{u.ID: u}}
	return &auth.Experience{Users: users, Key: []byte("k"),
		UserFailures: ratelimit.New(3, time.Minute), SourceFailures: ratelimit.New(5, time.Minute)}, users, u
}

func TestExperienceAuthenticate(t *testing.T) {
	ctx := t.Context()
	e, _, u := newExperience(t)
	got, err := e.Authenticate(ctx, "app", "ANN@example.com ", "correct horse", "1.1.1.1")
	if err != nil || got.ID != u.ID {
		t.Fatalf("right password: %v, %v", got, err)
	}
	for _, c := range []struct{ app, email, password string }{
		{"app", "ann@example.com", "wrong horse"},
		{"app", "nobody@example.com", "correct horse"},
		{"other", "ann@example.com", "correct horse"}, // another application's user
	} {
		_, err := e.Authenticate(ctx, c.app, c.email, c.password, "")
		if weir.ErrorTypeOf(err) != weir.Unauthorized || weir.ErrorMessage(err) != "Invalid email or password" {
			t.Errorf("%+v: %v, want Unauthorized with one message", c, err)
		}
	}
}

func TestExperienceAuthenticateLimits(t *testing.T) {
	ctx := t.Context()
	e, _, _ := newExperience(t)
	// 3 failures are allowed; then the email is locked.
	for i := range 3 {
		_, err := e.Authenticate(ctx, "app", "ann@example.com", "wrong horse", "")
		if weir.ErrorTypeOf(err) != weir.Unauthorized {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err := e.Authenticate(ctx, "app", "ann@example.com", "correct horse", "")
	if weir.ErrorTypeOf(err) != weir.TooManyRequests {
		t.Fatalf("right password after too many failures: %v, want TooManyRequests", err)
	}
	// Per source: 5 failures over several unknown emails lock the address,
	// not the others.
	for i := range 5 {
		_, err := e.Authenticate(ctx, "app", "x"+string(rune('a'+i))+"@example.com", "whatever1", "9.9.9.9")
		if weir.ErrorTypeOf(err) != weir.Unauthorized {
			t.Fatalf("address failure %d: %v", i+1, err)
		}
	}
	if _, err := e.Authenticate(ctx, "app", "new@example.com", "whatever1", "9.9.9.9"); weir.ErrorTypeOf(err) != weir.TooManyRequests {
		t.Fatalf("from a locked address: %v, want TooManyRequests", err)
	}
	if _, err := e.Authenticate(ctx, "app", "new@example.com", "whatever1", "8.8.8.8"); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Fatalf("from another address: %v, want Unauthorized", err)
	}
}

// TestExperienceAuthenticateNoTimingOracle: an unknown email takes about as
// long as a wrong password (both pay for one argon2id check).
func TestExperienceAuthenticateNoTimingOracle(t *testing.T) {
	ctx := t.Context()
	e, _, _ := newExperience(t)
	e.UserFailures, e.SourceFailures = ratelimit.New(1000, time.Minute), ratelimit.New(1000, time.Minute)
	measure := func(email string) time.Duration {
		best := time.Hour
		for range 5 { // the fastest of 5: a loaded machine only slows a run down
			start := time.Now()
			_, _ = e.Authenticate(ctx, "app", email, "wrong horse", "")
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("ann@example.com"), measure("nobody@example.com")
	if unknown < known/5 || unknown > known*5 { // without the dummy check, ~1000 times faster
		t.Fatalf("wrong password %v, unknown email %v: the timing tells them apart", known, unknown)
	}
}

func TestExperienceTokens(t *testing.T) {
	ctx := t.Context()
	e, users, u := newExperience(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	e.Now = func() time.Time { return now }
	tok, err := e.IssueToken(u, time.Hour, map[string]any{"remember": true})
	if err != nil {
		t.Fatal(err)
	}
	got, info, err := e.VerifyToken(ctx, "app", tok)
	if err != nil || got.ID != u.ID || info.ExpiresAt == nil || !info.IssuedAt.Equal(now) {
		t.Fatalf("verify: %v %+v %v", got, info, err)
	}
	if _, _, err := e.VerifyToken(ctx, "other", tok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Errorf("another application: %v, want Unauthorized", err)
	}
	// An API token signer with the same key does not take it, nor the other
	// way round.
	signer := &auth.Signer{Key: []byte("k")}
	if _, err := signer.Verify(tok); err == nil {
		t.Error("an experience token passed as an API token")
	}
	apiTok, _ := signer.Sign(&weir.Token{ID: weir.NewID(), OwnerID: "o", OwnerType: "user"})
	if _, _, err := e.VerifyToken(ctx, "app", apiTok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Errorf("an API token passed as an experience token: %v", err)
	}
	// Expired.
	now = now.Add(2 * time.Hour)
	if _, _, err := e.VerifyToken(ctx, "app", tok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Errorf("expired: %v", err)
	}
	// A cutoff after the token's issue refuses it; a new token works.
	tok, _ = e.IssueToken(u, 0, nil)
	now = now.Add(time.Minute)
	cut := now
	users.users[u.ID].TokenCutoff = &cut
	if _, _, err := e.VerifyToken(ctx, "app", tok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Errorf("token before the cutoff: %v", err)
	}
	tok, _ = e.IssueToken(u, 0, nil)
	if _, _, err := e.VerifyToken(ctx, "app", tok); err != nil {
		t.Errorf("token after the cutoff: %v", err)
	}
	// A deleted user's token stops working at once.
	_ = users.DeleteExperienceUser(ctx, "app", u.ID)
	if _, _, err := e.VerifyToken(ctx, "app", tok); weir.ErrorTypeOf(err) != weir.Unauthorized {
		t.Errorf("deleted user: %v", err)
	}
	for _, bad := range []string{"", "x.y.z", tok + "x"} {
		if _, _, err := e.VerifyToken(ctx, "app", bad); weir.ErrorTypeOf(err) != weir.Unauthorized {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// TestExperienceAuthenticateConcurrent: concurrent wrong guesses for one
// email take their turn, so no more than the limit are checked.
func TestExperienceAuthenticateConcurrent(t *testing.T) {
	e, _, _ := newExperience(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	checked := 0
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Authenticate(t.Context(), "app", "ann@example.com", "wrong horse", "")
			if weir.ErrorTypeOf(err) == weir.Unauthorized {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if checked != 3 {
		t.Fatalf("%d concurrent guesses were checked, want the limit, 3", checked)
	}
}
