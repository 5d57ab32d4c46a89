package nats

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/weirhq/weir"
)

// leases keeps the messages of claimed runs until they are completed, and
// extends their ack wait with in-progress acks so that a run still running
// is not offered again, for at most MaxHold after its claim.
type leases struct {
	mu     sync.Mutex
	held   map[string]*lease // by run ID
	parked []*weir.Run       // held and not handed out, in claim order
}

// lease is one claimed, uncompleted run's message.
type lease struct {
	msg     jetstream.Msg
	claimed time.Time
	parked  bool // waiting in parked: extended whatever MaxHold says
}

// hold keeps msg as the lease of runID.
func (l *leases) hold(runID string, msg jetstream.Msg, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]*lease{}
	}
	l.held[runID] = &lease{msg: msg, claimed: now}
}

// take removes and returns the lease of runID, if it is held.
func (l *leases) take(runID string) (jetstream.Msg, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	le, ok := l.held[runID]
	if !ok {
		return nil, false
	}
	delete(l.held, runID)
	return le.msg, true
}

// due returns the messages whose lease to extend now, dropping those held
// for maxHold already: their ack wait runs out and they are offered again.
func (l *leases) due(now time.Time, maxHold time.Duration) (extend []jetstream.Msg, dropped []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, le := range l.held {
		if !le.parked && now.Sub(le.claimed) >= maxHold {
			delete(l.held, id)
			dropped = append(dropped, id)
			continue
		}
		extend = append(extend, le.msg)
	}
	return extend, dropped
}

// drain removes and returns every held message.
func (l *leases) drain() []jetstream.Msg {
	l.mu.Lock()
	defer l.mu.Unlock()
	msgs := make([]jetstream.Msg, 0, len(l.held))
	for _, le := range l.held {
		msgs = append(msgs, le.msg)
	}
	l.held, l.parked = nil, nil
	return msgs
}

// park keeps the held run for a later claim.
func (l *leases) park(run *weir.Run) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if le := l.held[run.ID]; le != nil {
		le.parked = true
		l.parked = append(l.parked, run)
	}
}

// unpark hands out, oldest first, up to n parked runs that skip does not
// name; their hold counts from now.
func (l *leases) unpark(n int, skip weir.RunSkip, now time.Time) []*weir.Run {
	l.mu.Lock()
	defer l.mu.Unlock()
	var runs []*weir.Run
	kept := l.parked[:0]
	for _, r := range l.parked {
		le := l.held[r.ID]
		switch {
		case le == nil || !le.parked: // drained
		case len(runs) < n && !skip.Skips(r):
			le.parked, le.claimed = false, now
			runs = append(runs, r)
		default:
			kept = append(kept, r)
		}
	}
	clear(l.parked[len(kept):])
	l.parked = kept
	return runs
}

// parkedStats returns the number of parked runs and the acceptance time of
// the oldest.
func (l *leases) parkedStats() (n int, oldest time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.parked {
		if oldest.IsZero() || r.Time.Before(oldest) {
			oldest = r.Time
		}
	}
	return len(l.parked), oldest
}

// parkedLen returns the number of parked runs.
func (l *leases) parkedLen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.parked)
}

// len returns the number of held leases.
func (l *leases) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}
