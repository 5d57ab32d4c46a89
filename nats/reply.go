package nats

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/weirhq/weir"
)

// Reply relay limits.
const (
	// DefaultReplyTimeout bounds how long Send waits for the process where
	// the request waits to take the reply.
	DefaultReplyTimeout = 5 * time.Second
	// maxReplyIDLength bounds the reply ids relayed; weir's own are far
	// shorter, so a longer one has no waiter.
	maxReplyIDLength = 512
)

// Answers of the listening process to a relayed reply.
const (
	replyTaken    = "ok"
	replyNotFound = "notfound"
)

// ReplyRelay carries webhook and endpoint replies among the processes of a
// cluster over core NATS request-reply: the process where a request waits
// listens on <prefix>.reply.<encoded reply id>, and a process whose run
// answers sends the reply there and learns whether it was taken. It
// implements engine.ReplyRelay and is safe for concurrent use.
type ReplyRelay struct {
	Client  *Client
	Prefix  string        // default DefaultPrefix
	Timeout time.Duration // default DefaultReplyTimeout
}

// Listen subscribes to the replies for replyID and hands each to deliver,
// answering the sender with deliver's outcome. The subscription is in
// place on the server when Listen returns. It returns Unavailable when the
// server cannot be reached.
func (r *ReplyRelay) Listen(replyID string, deliver func(data []byte) error) (stop func(), err error) {
	if replyID == "" || len(replyID) > maxReplyIDLength {
		return nil, weir.Errorf(weir.Validation, "reply id must have 1 to %d bytes", maxReplyIDLength)
	}
	sub, err := r.Client.Conn.Subscribe(r.subject(replyID), func(m *natsgo.Msg) {
		answer := replyTaken
		if err := deliver(m.Data); weir.ErrorTypeOf(err) == weir.NotFound {
			answer = replyNotFound
		} else if err != nil {
			answer = err.Error()
		}
		_ = m.Respond([]byte(answer)) // a sender that gave up no longer listens
	})
	if err != nil {
		return nil, errCannotListen(err)
	}
	if err := r.Client.Conn.FlushTimeout(r.timeout()); err != nil {
		_ = sub.Unsubscribe()
		return nil, errCannotListen(err)
	}
	// Drain, not Unsubscribe: replies the server routed here before it
	// saw the unsubscribe are still answered (not found), so their senders
	// do not wait for a timeout.
	return func() { _ = sub.Drain() }, nil
}

// Send hands an encoded reply to the process listening for replyID and
// returns nil when it was taken, NotFound when nobody waits for replyID any
// more (no process listens, or another reply came first), and an error
// when the listener could not be reached within the timeout.
func (r *ReplyRelay) Send(replyID string, data []byte) error {
	if replyID == "" || len(replyID) > maxReplyIDLength {
		return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", replyID)
	}
	m, err := r.Client.Conn.Request(r.subject(replyID), data, r.timeout())
	switch {
	case errors.Is(err, natsgo.ErrNoResponders):
		return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", replyID)
	case err != nil:
		return fmt.Errorf("nats: send reply %s: %w", replyID, err)
	}
	switch answer := string(m.Data); answer {
	case replyTaken:
		return nil
	case replyNotFound:
		return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", replyID)
	default:
		return fmt.Errorf("nats: send reply %s: the waiting process refused it: %s", replyID, answer)
	}
}

// errCannotListen is Unavailable, keeping the cause for the log.
func errCannotListen(cause error) error {
	return fmt.Errorf("nats: listen for reply: %v: %w", cause,
		weir.Errorf(weir.Unavailable, "Replies cannot be received now; try again later"))
}

func (r *ReplyRelay) subject(replyID string) string {
	return prefixOr(r.Prefix) + ".reply." + base64.RawURLEncoding.EncodeToString([]byte(replyID))
}

func (r *ReplyRelay) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultReplyTimeout
}
