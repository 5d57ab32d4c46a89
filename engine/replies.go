package engine

import (
	"sync"

	"github.com/weirhq/weir"
)

// DefaultMaxReplyWaiters caps the requests a ReplyHub keeps waiting at once
// unless ReplyHub.Max is set.
const DefaultMaxReplyWaiters = 10000

// ReplyHub pairs HTTP requests waiting for a reply (a webhook set to wait)
// with the Webhook Reply nodes that answer them, in one process. The first
// reply for an id wins; later ones find no waiter. The zero value is ready to
// use and it is safe for concurrent use.
type ReplyHub struct {
	// Max is how many requests may wait at once; 0 means
	// DefaultMaxReplyWaiters.
	Max int

	mu      sync.Mutex
	waiters map[string]chan Reply
}

// Register makes replyID awaitable and returns the channel its first reply
// arrives on and a cancel func the waiter must call when it stops waiting
// (calling it after the reply is harmless). It returns Unavailable when
// Max requests already wait, and Validation when replyID is empty or
// already waited for.
func (h *ReplyHub) Register(replyID string) (<-chan Reply, func(), error) {
	if replyID == "" {
		return nil, nil, weir.Errorf(weir.Validation, "reply id is required")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters == nil {
		h.waiters = map[string]chan Reply{}
	}
	if _, dup := h.waiters[replyID]; dup {
		return nil, nil, weir.Errorf(weir.Validation, "reply id %s is already waited for", replyID)
	}
	max := h.Max
	if max <= 0 {
		max = DefaultMaxReplyWaiters
	}
	if len(h.waiters) >= max {
		return nil, nil, weir.Errorf(weir.Unavailable, "Too many requests are waiting for a reply")
	}
	ch := make(chan Reply, 1)
	h.waiters[replyID] = ch
	return ch, func() { h.forget(replyID, ch) }, nil
}

// Deliver hands r to the request waiting for replyID and stops that wait,
// so only the first reply counts. It returns NotFound when no request waits
// for replyID (it never did, already got a reply, or gave up). It never
// blocks. Env.Reply is meant to be set to it.
func (h *ReplyHub) Deliver(replyID string, r Reply) error {
	h.mu.Lock()
	ch, ok := h.waiters[replyID]
	if ok {
		delete(h.waiters, replyID)
	}
	h.mu.Unlock()
	if !ok {
		return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", replyID)
	}
	ch <- r // buffered, and only the remover of the waiter sends
	return nil
}

// Waiting returns how many requests wait for a reply now.
func (h *ReplyHub) Waiting() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.waiters)
}

// forget removes replyID's waiter if it is still ch.
func (h *ReplyHub) forget(replyID string, ch chan Reply) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters[replyID] == ch {
		delete(h.waiters, replyID)
	}
}
