// Package ratelimit limits how often each key (a virtual button, a webhook)
// may be used, in one process: at most Limit uses in any window of length
// Per, exactly, by remembering the times of each key's last Limit uses.
package ratelimit

import (
	"sync"
	"time"
)

// sweepEvery is how many calls pass between sweeps of idle keys.
const sweepEvery = 4096

// Limiter allows at most Limit uses of each key in any window of length Per.
// It is safe for concurrent use; it keeps Limit times for each key used in
// the last Per, and forgets idle keys.
type Limiter struct {
	Limit int
	Per   time.Duration
	Now   func() time.Time

	mu    sync.Mutex
	keys  map[string]*ring
	calls int
}

// ring holds the times of a key's last Limit uses; next is the oldest.
type ring struct {
	times []time.Time
	next  int
}

// New returns a limiter of limit uses per period.
func New(limit int, per time.Duration) *Limiter {
	return &Limiter{Limit: limit, Per: per, Now: time.Now}
}

// Allow records one use of key if the limit allows it. Otherwise it reports
// false and how long to wait before the next use would be allowed.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]*ring{}
	}
	l.sweep(now)
	r := l.keys[key]
	if r == nil {
		r = &ring{times: make([]time.Time, 0, l.Limit)}
		l.keys[key] = r
	}
	if len(r.times) < l.Limit {
		r.times = append(r.times, now)
		return true, 0
	}
	if free := r.times[r.next].Add(l.Per); free.After(now) {
		return false, free.Sub(now)
	}
	r.times[r.next] = now
	r.next = (r.next + 1) % l.Limit
	return true, 0
}

// Peek reports whether one more use of key would be allowed now, and if
// not, how long until it would be, without recording a use.
func (l *Limiter) Peek(key string) (ok bool, retryAfter time.Duration) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.keys[key]
	if r == nil || len(r.times) < l.Limit {
		return true, 0
	}
	if free := r.times[r.next].Add(l.Per); free.After(now) {
		return false, free.Sub(now)
	}
	return true, 0
}

// sweep forgets keys not used within the last Per.
func (l *Limiter) sweep(now time.Time) {
	l.calls++
	if l.calls%sweepEvery != 0 {
		return
	}
	for k, r := range l.keys {
		newest := r.times[(r.next+len(r.times)-1)%len(r.times)]
		if !newest.Add(l.Per).After(now) {
			delete(l.keys, k)
		}
	}
}
