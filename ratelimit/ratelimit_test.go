package ratelimit_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir/ratelimit"
)

func TestAllow(t *testing.T) {
	now := time.Unix(1000, 0)
	l := ratelimit.New(100, 10*time.Second)
	l.Now = func() time.Time { return now }

	for i := range 100 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("use %d of a burst of 100 refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 10*time.Second {
		t.Fatalf("101st use = %v, retry after %v; want refused, retry after 10s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key was limited by a's uses")
	}
	now = now.Add(10 * time.Second)
	for i := range 100 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("after a quiet period, use %d was refused", i+1)
		}
	}
}

func TestNoWindowExceedsLimit(t *testing.T) {
	now := time.Unix(0, 0)
	l := ratelimit.New(10, time.Second)
	l.Now = func() time.Time { return now }
	var allowed []time.Time
	for range 5000 {
		now = now.Add(7 * time.Millisecond)
		if ok, _ := l.Allow("k"); ok {
			allowed = append(allowed, now)
		}
	}
	for i := 10; i < len(allowed); i++ {
		if allowed[i].Sub(allowed[i-10]) < time.Second {
			t.Fatalf("11 uses within %v", allowed[i].Sub(allowed[i-10]))
		}
	}
}

func TestRetryAfterIsExact(t *testing.T) {
	now := time.Unix(0, 0)
	l := ratelimit.New(2, time.Second)
	l.Now = func() time.Time { return now }
	l.Allow("k")
	now = now.Add(400 * time.Millisecond)
	l.Allow("k")
	ok, wait := l.Allow("k")
	if ok || wait != 600*time.Millisecond {
		t.Fatalf("third use = %v, retry after %v; want refused, 600ms", ok, wait)
	}
	now = now.Add(wait)
	if ok, _ := l.Allow("k"); !ok {
		t.Error("use after the advised wait was refused")
	}
}

func TestManyKeys(t *testing.T) {
	now := time.Unix(0, 0)
	l := ratelimit.New(1, time.Second)
	l.Now = func() time.Time { return now }
	for i := range 10_000 {
		now = now.Add(time.Millisecond)
		if ok, _ := l.Allow(string(rune(i))); !ok {
			t.Fatalf("new key %d refused", i)
		}
	}
	if ok, _ := l.Allow(string(rune(9_999))); ok {
		t.Error("recently used key was allowed twice within its window")
	}
}

// TestPeek: Peek tells what Allow would, and records nothing.
func TestPeek(t *testing.T) {
	now := time.Unix(0, 0)
	l := ratelimit.New(2, time.Minute)
	l.Now = func() time.Time { return now }
	for range 3 {
		if ok, _ := l.Peek("k"); !ok {
			t.Fatal("Peek of an unused key = false")
		}
	}
	l.Allow("k")
	l.Allow("k")
	if ok, retry := l.Peek("k"); ok || retry != time.Minute {
		t.Fatalf("Peek after 2 uses = %v, %v; want false, 1m", ok, retry)
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Peek("k"); !ok {
		t.Fatal("Peek once the window moved on = false")
	}
}
