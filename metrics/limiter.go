package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Limiter is the rate limiter interface of engine and http: whether one
// more use of key is allowed now, and if not, how long to wait.
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
}

// countingLimiter counts the uses its Limiter refuses.
type countingLimiter struct {
	Limiter
	refused prometheus.Counter
}

// Limiter wraps l so that its refusals are counted under the label limit
// (presses, webhooks). A nil l (no limit) stays nil.
func (m *Metrics) Limiter(limit string, l Limiter) Limiter {
	if l == nil {
		return nil
	}
	return &countingLimiter{Limiter: l, refused: m.limited.WithLabelValues(limit)}
}

// Allow asks the wrapped limiter and counts a refusal.
func (l *countingLimiter) Allow(key string) (bool, time.Duration) {
	ok, after := l.Limiter.Allow(key)
	if !ok {
		l.refused.Inc()
	}
	return ok, after
}
