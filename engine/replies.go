package engine

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/weirhq/weir"
)

// DefaultMaxReplyWaiters caps the requests a ReplyHub keeps waiting at once
// unless ReplyHub.Max is set.
const DefaultMaxReplyWaiters = 10000

// ReplyRelay carries replies among the processes of a cluster, so that a
// request waiting in one process can be answered by a run in another.
type ReplyRelay interface {
	// Listen routes the replies other processes Send for replyID to
	// deliver until stop is called; replies must be able to arrive as soon
	// as it returns.
	Listen(replyID string, deliver func(data []byte) error) (stop func(), err error)
	// Send hands an encoded reply to the process listening for replyID and
	// returns what its deliver returned, or NotFound when no process listens.
	Send(replyID string, data []byte) error
}

// ReplyHub pairs HTTP requests waiting for a reply (a webhook set to wait,
// an experience endpoint) with the Webhook and Endpoint Reply nodes that
// answer them. Without a Relay it pairs them within one process. The first
// reply for an id wins; later ones find no waiter. The zero value is ready to
// use and it is safe for concurrent use.
type ReplyHub struct {
	// Max is how many requests may wait at once; 0 means
	// DefaultMaxReplyWaiters.
	Max int

	// Relay, when set, lets runs on other processes answer the requests
	// waiting here, and hands replies with no waiter here to the process
	// where the request waits. Set it before the first Register.
	Relay ReplyRelay

	mu      sync.Mutex
	waiters map[string]chan Reply
}

// Register makes replyID awaitable and returns the channel its first reply
// arrives on and a cancel func the waiter must call when it stops waiting
// (calling it after the reply is harmless). It returns Unavailable when
// Max requests already wait, Validation when replyID is empty or already
// waited for, and the Relay's error when it cannot listen.
func (h *ReplyHub) Register(replyID string) (<-chan Reply, func(), error) {
	ch, err := h.add(replyID)
	if err != nil {
		return nil, nil, err
	}
	if h.Relay == nil {
		return ch, func() { h.forget(replyID, ch) }, nil
	}
	stop, err := h.Relay.Listen(replyID, func(data []byte) error { return h.receive(replyID, data) })
	if err != nil {
		h.forget(replyID, ch)
		return nil, nil, fmt.Errorf("engine: listen for reply %s: %w", replyID, err)
	}
	return ch, func() { h.forget(replyID, ch); stop() }, nil
}

// Deliver hands r to the request waiting for replyID and stops that wait,
// so only the first reply counts. It returns NotFound when no request waits
// for replyID (it never did, already got a reply, or gave up). A reply with
// no waiter in this process goes through the Relay, when there is one, and
// then waits for the other process's answer. Env.Reply is meant to be set to
// it.
func (h *ReplyHub) Deliver(replyID string, r Reply) error {
	err := h.deliverHere(replyID, r)
	if h.Relay == nil || weir.ErrorTypeOf(err) != weir.NotFound {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("engine: encode reply: %w", err)
	}
	return h.Relay.Send(replyID, data)
}

// add makes replyID awaitable in this process.
func (h *ReplyHub) add(replyID string) (chan Reply, error) {
	if replyID == "" {
		return nil, weir.Errorf(weir.Validation, "reply id is required")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters == nil {
		h.waiters = map[string]chan Reply{}
	}
	if _, dup := h.waiters[replyID]; dup {
		return nil, weir.Errorf(weir.Validation, "reply id %s is already waited for", replyID)
	}
	max := h.Max
	if max <= 0 {
		max = DefaultMaxReplyWaiters
	}
	if len(h.waiters) >= max {
		return nil, weir.Errorf(weir.Unavailable, "Too many requests are waiting for a reply")
	}
	ch := make(chan Reply, 1)
	h.waiters[replyID] = ch
	return ch, nil
}

// receive delivers a reply another process sent through the Relay.
func (h *ReplyHub) receive(replyID string, data []byte) error {
	var r Reply
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("engine: decode relayed reply: %w", err)
	}
	return h.deliverHere(replyID, r)
}

// deliverHere hands r to the request waiting for replyID in this process.
func (h *ReplyHub) deliverHere(replyID string, r Reply) error {
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

// waits reports whether a request in this process waits for replyID.
func (h *ReplyHub) waits(replyID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.waiters[replyID]
	return ok
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
