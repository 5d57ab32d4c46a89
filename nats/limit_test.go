package nats_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir/nats"
)

// clock is a settable time shared by the limiters of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// countingFallback records that the cluster limiter could not decide.
type countingFallback struct{ calls atomic.Int64 }

func (f *countingFallback) Allow(string) (bool, time.Duration) {
	f.calls.Add(1)
	return false, time.Second
}

// mustLimiters opens the limiters of n processes sharing one bucket.
func mustLimiters(t testing.TB, n, limit int, per time.Duration, now func() time.Time) ([]*nats.Limiter, *countingFallback) {
	t.Helper()
	bucket := uniquePrefix(t) + "_limit"
	fb := &countingFallback{}
	ls := make([]*nats.Limiter, n)
	for i := range ls {
		ls[i] = &nats.Limiter{Client: mustClusterClient(t), Bucket: bucket, Limit: limit, Per: per, Now: now, Fallback: fb}
		if err := ls[i].Open(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { // after t.Context is done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := mustClusterClient(t).JS.DeleteKeyValue(ctx, bucket); err != nil {
			t.Errorf("delete bucket %s: %v", bucket, err)
		}
	})
	return ls, fb
}

// TestLimiter_ExactAcrossProcesses presses one key from three processes at
// once, 240 times in all: exactly 100 are allowed.
func TestLimiter_ExactAcrossProcesses(t *testing.T) {
	ls, fb := mustLimiters(t, 3, 100, 10*time.Second, nil)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for _, l := range ls {
		for range 2 { // two concurrent requests per process
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 40 {
					if ok, _ := l.Allow("flow/button"); ok {
						allowed.Add(1)
					}
				}
			}()
		}
	}
	wg.Wait()
	if n := fb.calls.Load(); n != 0 {
		t.Errorf("the fallback decided %d times, want 0", n)
	}
	if got := allowed.Load(); got != 100 {
		t.Errorf("%d presses allowed across processes, want exactly 100", got)
	}
	if ok, _ := ls[0].Allow("flow/other button"); !ok {
		t.Error("another key was refused, want keys counted apart")
	}
}

// TestLimiter_WindowSlides checks Retry-After and that uses leave the
// window Per after they happened.
func TestLimiter_WindowSlides(t *testing.T) {
	c := &clock{t: time.UnixMilli(1_700_000_000_000)}
	ls, _ := mustLimiters(t, 2, 2, 10*time.Second, c.now)
	mustAllow := func(l *nats.Limiter, want bool, wantRetry time.Duration) {
		t.Helper()
		ok, retry := l.Allow("k")
		if ok != want || retry != wantRetry {
			t.Errorf("Allow at %s = %v, %v; want %v, %v", c.now().Format("05.000"), ok, retry, want, wantRetry)
		}
	}
	mustAllow(ls[0], true, 0)
	c.add(time.Second)
	mustAllow(ls[1], true, 0)
	c.add(time.Second)
	mustAllow(ls[0], false, 8*time.Second)
	mustAllow(ls[1], false, 8*time.Second)
	c.add(8 * time.Second) // the first use leaves the window
	mustAllow(ls[1], true, 0)
	mustAllow(ls[0], false, time.Second)
}

func TestLimiter_Errors(t *testing.T) {
	t.Run("ErrNATSDownFallbackDecides", func(t *testing.T) {
		ls, fb := mustLimiters(t, 1, 5, time.Minute, nil)
		ls[0].Client.Conn.Close()
		if ok, retry := ls[0].Allow("k"); ok || retry != time.Second || fb.calls.Load() != 1 {
			t.Errorf("Allow with NATS closed = %v, %v after %d fallback calls; want the fallback's false, 1s", ok, retry, fb.calls.Load())
		}
	})
	t.Run("ErrBadConfig", func(t *testing.T) {
		c := mustClusterClient(t)
		for _, l := range []*nats.Limiter{
			{Client: c, Bucket: "has.dot", Limit: 1, Per: time.Second},
			{Client: c, Bucket: "ok", Limit: 0, Per: time.Second},
			{Client: c, Bucket: "ok", Limit: 1},
		} {
			if err := l.Open(t.Context()); err == nil {
				t.Errorf("Open(%q, %d per %v) = nil, want an error", l.Bucket, l.Limit, l.Per)
			}
		}
	})
}

// BenchmarkLimiterAllow measures one allowed use: a read and a
// compare-and-set write in JetStream.
func BenchmarkLimiterAllow(b *testing.B) {
	ls, _ := mustLimiters(b, 1, 100, 10*time.Second, nil)
	i := 0
	for b.Loop() {
		i++
		if ok, _ := ls[0].Allow(strconv.Itoa(i)); !ok {
			b.Fatal("refused")
		}
	}
}

// TestLimiter_Peek: Peek sees the uses every process recorded and records
// none itself.
func TestLimiter_Peek(t *testing.T) {
	c := &clock{t: time.UnixMilli(1_700_000_000_000)}
	ls, _ := mustLimiters(t, 2, 2, 10*time.Second, c.now)
	for range 3 {
		if ok, _ := ls[1].Peek("k"); !ok {
			t.Fatal("Peek of an unused key = false, and must not count")
		}
	}
	ls[0].Allow("k")
	c.add(4 * time.Second)
	ls[0].Allow("k")
	if ok, retry := ls[1].Peek("k"); ok || retry != 6*time.Second {
		t.Fatalf("Peek on another process after 2 uses = %v, %v; want false, 6s", ok, retry)
	}
	c.add(6 * time.Second)
	if ok, _ := ls[1].Peek("k"); !ok {
		t.Fatal("Peek once the oldest use left the window = false")
	}
}
