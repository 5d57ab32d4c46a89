package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/ratelimit"
)

// Default failed sign-in limits of Experience: per email of an
// application, and per source address.
const (
	DefaultUserFailures   = 10
	DefaultSourceFailures = 50
	DefaultFailureWindow  = 15 * time.Minute
)

// Messages of failed experience sign-ins and tokens, in Losant's wording.
const (
	msgBadExperienceCredentials = "Invalid email or password"
	msgBadExperienceToken       = "Invalid experience user token"
)

// experienceSubType is the subType claim of experience user tokens; API
// tokens carry none, so neither kind passes for the other.
const experienceSubType = "experienceUser"

// Limiter counts uses of keys within a limit: Allow records one use (when
// it fits), Peek only tells whether one more would fit, and if not, how
// long until it would. ratelimit.Limiter (one process) and nats.Limiter (a
// cluster) are Limiters.
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
	Peek(key string) (ok bool, retryAfter time.Duration)
}

// Experience signs experience users in and issues and checks their tokens
// (weir.ExperienceAuth). Tokens are HS256 JWTs signed with a key derived
// from Key, so they never pass for API tokens: sub is the user id, subType
// "experienceUser", iat and, with a TTL, exp; extraData, when given, is
// carried too. A token is refused once the user is deleted, or when it was
// issued before the user's tokenCutoff; the user is read from the store on
// every check, so either takes effect at the next request.
//
// Failed sign-ins count against the email (per application) and the source
// address; once either has used up its limit of failures, sign-ins for that
// email or from that address are refused with TooManyRequests, even with
// the right password, until the oldest failure leaves the window.
// UserFailures and SourceFailures count the failures (nil: the defaults, in
// this process only); shared limiters make the lock hold on every process
// at once.
type Experience struct {
	Users          weir.ExperienceUserService
	Key            []byte
	Now            func() time.Time // nil: time.Now
	UserFailures   Limiter
	SourceFailures Limiter

	once    sync.Once
	key     []byte
	dummy   string // a hash no password matches, checked for unknown emails
	stripes [signInStripes]sync.Mutex
}

// signInStripes is how many locks sign-ins are spread over: the attempts
// for one email, and from one address, take their turn, so that concurrent
// attempts cannot all pass the limit's check before any failure counts.
const signInStripes = 256

var _ weir.ExperienceAuth = (*Experience)(nil)

func (e *Experience) init() {
	e.once.Do(func() {
		m := hmac.New(sha256.New, e.Key)
		m.Write([]byte("weir experience user tokens"))
		e.key = m.Sum(nil)
		e.dummy, _ = HashSecret(NewRandomSecret())
		if e.UserFailures == nil {
			e.UserFailures = ratelimit.New(DefaultUserFailures, DefaultFailureWindow)
		}
		if e.SourceFailures == nil {
			e.SourceFailures = ratelimit.New(DefaultSourceFailures, DefaultFailureWindow)
		}
	})
}

func (e *Experience) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// HashPassword validates password and returns its argon2id hash.
func (e *Experience) HashPassword(password string) (string, error) {
	if err := weir.ValidatePassword(password); err != nil {
		return "", err
	}
	return HashSecret(password)
}

// Authenticate checks email and password against the application's users.
// An unknown email costs one argon2id check like a wrong password, so the
// answer's timing does not tell which it was.
func (e *Experience) Authenticate(ctx context.Context, applicationID, email, password, source string) (*weir.ExperienceUser, error) {
	e.init()
	userKey := "user:" + applicationID + ":" + weir.NormalizeEmail(email)
	sourceKey := "source:" + source
	defer e.turn(userKey, sourceKey)()
	if err := locked(e.UserFailures, userKey); err != nil {
		return nil, err
	}
	if source != "" {
		if err := locked(e.SourceFailures, sourceKey); err != nil {
			return nil, err
		}
	}
	u, err := e.Users.FindExperienceUserByEmail(ctx, applicationID, email)
	hash := e.dummy
	switch {
	case err == nil:
		hash = u.PasswordHash
	case weir.ErrorTypeOf(err) != weir.NotFound:
		return nil, err
	}
	if ok := CheckSecret(hash, password); ok && u != nil {
		return u, nil
	}
	e.UserFailures.Allow(userKey)
	if source != "" {
		e.SourceFailures.Allow(sourceKey)
	}
	return nil, weir.Errorf(weir.Unauthorized, msgBadExperienceCredentials)
}

// turn waits for the turn of the keys' stripes, taken in order, and
// returns what ends it.
func (e *Experience) turn(keys ...string) func() {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		h := sha256.Sum256([]byte(k))
		idx = append(idx, int(h[0]))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		e.stripes[i].Lock()
	}
	return func() {
		for _, i := range idx {
			e.stripes[i].Unlock()
		}
	}
}

// locked returns TooManyRequests when key has used up its failures.
func locked(l Limiter, key string) error {
	ok, retry := l.Peek(key)
	if ok {
		return nil
	}
	secs := int(math.Ceil(retry.Seconds()))
	return weir.Errorf(weir.TooManyRequests, "Too many failed sign-in attempts; try again in %d seconds", max(secs, 1))
}

// experienceClaims is an experience user token's payload.
type experienceClaims struct {
	jwt.RegisteredClaims
	SubType   string `json:"subType"`
	ExtraData any    `json:"extraData,omitempty"`
}

// IssueToken returns a signed token for u.
func (e *Experience) IssueToken(u *weir.ExperienceUser, ttl time.Duration, extra any) (string, error) {
	e.init()
	if len(e.Key) == 0 {
		return "", errors.New("auth: experience tokens have no key")
	}
	if ttl < 0 {
		return "", weir.Errorf(weir.Validation, "token lifetime must not be negative")
	}
	now := e.now()
	c := experienceClaims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: u.ID, IssuedAt: jwt.NewNumericDate(now), Issuer: "weir"},
		SubType:          experienceSubType,
		ExtraData:        extra,
	}
	if ttl > 0 {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(e.key)
	if err != nil {
		return "", fmt.Errorf("auth: sign experience token: %w", err)
	}
	return s, nil
}

// VerifyToken checks token and returns its user, read from the store.
func (e *Experience) VerifyToken(ctx context.Context, applicationID, token string) (*weir.ExperienceUser, *weir.ExperienceAuthInfo, error) {
	e.init()
	fail := weir.Errorf(weir.Unauthorized, msgBadExperienceToken)
	if len(e.Key) == 0 || token == "" {
		return nil, nil, fail
	}
	var c experienceClaims
	_, err := jwt.ParseWithClaims(token, &c,
		func(*jwt.Token) (any, error) { return e.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(e.now),
		jwt.WithIssuedAt(),
	)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return nil, nil, weir.Errorf(weir.Unauthorized, "Experience user token has expired")
	}
	if err != nil || c.SubType != experienceSubType || !weir.ValidID(c.Subject) || c.IssuedAt == nil {
		return nil, nil, fail
	}
	u, err := e.Users.FindExperienceUserByID(ctx, applicationID, c.Subject)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, nil, fail
	} else if err != nil {
		return nil, nil, err
	}
	if u.TokenCutoff != nil && c.IssuedAt.Time.Before(u.TokenCutoff.Truncate(time.Second)) {
		return nil, nil, fail
	}
	info := &weir.ExperienceAuthInfo{IssuedAt: c.IssuedAt.Time.UTC(), ExtraData: c.ExtraData}
	if c.ExpiresAt != nil {
		t := c.ExpiresAt.Time.UTC()
		info.ExpiresAt = &t
	}
	return u, info, nil
}

// NewRandomSecret returns a random secret for a hash nothing will match.
func NewRandomSecret() string { return weir.NewKey(32) }
