package nats

import (
	"fmt"
	"strings"

	natsgo "github.com/nats-io/nats.go"
)

// DefaultPrefix starts the subjects and bucket names of a weir cluster
// unless a Prefix is set: the name of its run stream, so that clusters
// sharing a NATS server keep apart.
const DefaultPrefix = DefaultStream

// DebugRelay carries live debug messages among the processes of a cluster
// over core NATS, one subject per flow (<prefix>.debug.<flow id>). Every
// process subscribes to all flows, so each keeps the recent messages of every
// flow for late subscribers. Delivery is at most once: a process that is
// disconnected or falls behind misses messages. It implements
// engine.DebugRelay and is safe for concurrent use.
type DebugRelay struct {
	Client *Client
	Prefix string // default DefaultPrefix

	sub subscription
}

// Open subscribes to the debug messages of every flow and hands each to
// receive (engine.DebugHub.Receive), one at a time; receive must not block.
func (r *DebugRelay) Open(receive func(flowID string, data []byte)) error {
	base := r.subject("")
	// subscribe waits for the server, so this process sees its own
	// messages too from the first one published.
	sub, err := subscribe(r.Client.Conn, base+"*", func(m *natsgo.Msg) {
		receive(strings.TrimPrefix(m.Subject, base), m.Data)
	})
	if err != nil {
		return err
	}
	r.sub.set(sub)
	return nil
}

// Publish sends one encoded debug message of flowID to every process. It
// returns an error, and sends nothing, when flowID cannot be a subject token
// or the connection is closed.
func (r *DebugRelay) Publish(flowID string, data []byte) error {
	if !validToken(flowID) {
		return fmt.Errorf("nats: flow id %q cannot name a subject", flowID)
	}
	if err := r.Client.Conn.Publish(r.subject(flowID), data); err != nil {
		return fmt.Errorf("nats: publish debug message: %w", err)
	}
	return nil
}

// Close stops receiving; it does not close the Client.
func (r *DebugRelay) Close() error { return r.sub.close(r.Client.Conn, "debug") }

func (r *DebugRelay) subject(flowID string) string {
	return prefixOr(r.Prefix) + ".debug." + flowID
}

// prefixOr returns p, or DefaultPrefix when p is empty.
func prefixOr(p string) string {
	if p == "" {
		return DefaultPrefix
	}
	return p
}

// validToken reports whether s can be one token of a subject: not empty, and
// free of separators, wildcards and white space.
func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}
