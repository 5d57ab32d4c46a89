package nats

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Cluster limiter defaults.
const (
	DefaultLimitTimeout = 2 * time.Second // one Allow's round trips, retries included
)

// bucketName is what JetStream accepts as a key-value bucket name.
var bucketName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Limiter allows at most Limit uses of each key in any window of length Per
// across every process of a cluster. Each key's value in a JetStream
// key-value bucket (in memory) holds the times of its uses in the last Per;
// a use reads it, and writes it back with compare-and-set, retrying when
// another process wrote in between. So the limit is exact as far as the
// processes' clocks agree; when NATS cannot answer within Timeout, or a key
// is too contended, the Fallback (a per-process limiter) decides. It
// implements engine.Limiter and is safe for concurrent use.
type Limiter struct {
	Client   *Client
	Bucket   string // key-value bucket, shared by every process with the same limit
	Limit    int
	Per      time.Duration
	Timeout  time.Duration // default DefaultLimitTimeout
	Now      func() time.Time
	Logger   *slog.Logger
	Fallback interface { // decides when NATS cannot; nil allows
		Allow(key string) (ok bool, retryAfter time.Duration)
	}

	kv jetstream.KeyValue
}

// Open creates the bucket, or adopts it when another process did. Keys
// expire Per after their last use.
func (l *Limiter) Open(ctx context.Context) error {
	if !bucketName.MatchString(l.Bucket) {
		return fmt.Errorf("nats: limit bucket %q: use 1 to 64 letters, digits, '_' or '-'", l.Bucket)
	}
	if l.Limit < 1 || l.Per <= 0 {
		return fmt.Errorf("nats: limit %d per %v: both must be positive", l.Limit, l.Per)
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	if l.Logger == nil {
		l.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := jetstream.KeyValueConfig{Bucket: l.Bucket, TTL: l.Per, Storage: jetstream.MemoryStorage,
		Description: "weir rate limits: use times per key"}
	var err error
	for range 3 { // processes starting together may race to create it
		if l.kv, err = l.Client.JS.CreateOrUpdateKeyValue(ctx, cfg); err == nil {
			return nil
		}
	}
	return fmt.Errorf("nats: limit bucket %s: %w", l.Bucket, err)
}

// Allow records one use of key if the limit allows it. Otherwise it reports
// false and how long to wait before the next use would be allowed.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout())
	defer cancel()
	k := base64.RawURLEncoding.EncodeToString([]byte(key))
	for attempt := 1; ; attempt++ {
		ok, retryAfter, err := l.try(ctx, k)
		switch {
		case err == nil:
			return ok, retryAfter
		case ctx.Err() == nil && (errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)):
			jitter(ctx, attempt) // another process wrote first
		default:
			l.Logger.Warn("nats: rate limit unavailable; the process's own limit applies", "bucket", l.Bucket, "err", err)
			return l.fallback(key)
		}
	}
}

// try reads the uses of key and, when one more fits, writes them back
// provided nobody wrote since.
func (l *Limiter) try(ctx context.Context, key string) (bool, time.Duration, error) {
	var (
		uses []int64 // Unix milliseconds
		rev  uint64
	)
	e, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
	case err != nil:
		return false, 0, err
	default:
		uses, rev = decodeUses(e.Value()), e.Revision()
	}
	now := l.Now().UnixMilli()
	uses, ok, retryAfter := l.window(uses, now)
	if !ok {
		return false, retryAfter, nil
	}
	val := encodeUses(append(uses, now))
	if rev == 0 {
		_, err = l.kv.Create(ctx, key, val)
	} else {
		_, err = l.kv.Update(ctx, key, val, rev)
	}
	return err == nil, 0, err
}

// window drops the uses older than Per at now (Unix milliseconds) and
// reports whether one more fits, and if not, how long until it would.
func (l *Limiter) window(uses []int64, now int64) ([]int64, bool, time.Duration) {
	per := l.Per.Milliseconds()
	uses = slices.DeleteFunc(uses, func(t int64) bool { return t <= now-per })
	slices.Sort(uses)
	if len(uses) >= l.Limit {
		oldest := uses[len(uses)-l.Limit]
		return uses, false, max(time.Duration(oldest+per-now)*time.Millisecond, time.Millisecond)
	}
	return uses, true, 0
}

// Peek reports whether one more use of key would be allowed now, and if
// not, how long until it would be, without recording a use. When NATS
// cannot answer, the Fallback's Peek decides (allowed when it has none).
func (l *Limiter) Peek(key string) (ok bool, retryAfter time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout())
	defer cancel()
	e, err := l.kv.Get(ctx, base64.RawURLEncoding.EncodeToString([]byte(key)))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return true, 0
	case err != nil:
		l.Logger.Warn("nats: rate limit unavailable; the process's own limit applies", "bucket", l.Bucket, "err", err)
		if p, ok := l.Fallback.(interface {
			Peek(string) (bool, time.Duration)
		}); ok {
			return p.Peek(key)
		}
		return true, 0
	}
	_, ok, retryAfter = l.window(decodeUses(e.Value()), l.Now().UnixMilli())
	return ok, retryAfter
}

func (l *Limiter) fallback(key string) (bool, time.Duration) {
	if l.Fallback == nil {
		return true, 0
	}
	return l.Fallback.Allow(key)
}

func (l *Limiter) timeout() time.Duration {
	if l.Timeout > 0 {
		return l.Timeout
	}
	return DefaultLimitTimeout
}

// jitter waits a random time of up to attempt milliseconds (at most 10),
// less when ctx ends first.
func jitter(ctx context.Context, attempt int) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(min(attempt, 10)) * int64(time.Millisecond))))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// encodeUses writes use times as big-endian 64-bit integers.
func encodeUses(uses []int64) []byte {
	b := make([]byte, 0, 8*len(uses))
	for _, t := range uses {
		b = binary.BigEndian.AppendUint64(b, uint64(t))
	}
	return b
}

// decodeUses reads what encodeUses wrote, ignoring a trailing partial value.
func decodeUses(b []byte) []int64 {
	uses := make([]int64, 0, len(b)/8+1)
	for ; len(b) >= 8; b = b[8:] {
		uses = append(uses, int64(binary.BigEndian.Uint64(b)))
	}
	return uses
}
