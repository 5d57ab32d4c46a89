package nats

import (
	"fmt"
	"sync"

	natsgo "github.com/nats-io/nats.go"

	"github.com/weirhq/weir"
)

// senderHeader names the relay that published an announcement, so that it
// skips its own.
const senderHeader = "Weir-Sender"

// CacheRelay tells the other processes of a cluster, over core NATS
// (<prefix>.cache), that this one changed what their caches hold (flows,
// versions, webhooks, applications), so that they drop them at once rather
// than when their cache's time to live runs out. Announcements are at most
// once; the time to live still bounds what a missed one costs. It is safe
// for concurrent use.
type CacheRelay struct {
	Client *Client
	Prefix string // default DefaultPrefix

	mu  sync.Mutex
	id  string
	sub subscription
}

// Open subscribes to the other processes' announcements and calls drop for
// each; drop must not block for long.
func (r *CacheRelay) Open(drop func()) error {
	id := weir.NewID()
	sub, err := subscribe(r.Client.Conn, r.subject(), func(m *natsgo.Msg) {
		if m.Header.Get(senderHeader) != id {
			drop()
		}
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.id = id
	r.mu.Unlock()
	r.sub.set(sub)
	return nil
}

// Announce tells the other processes to drop what they cached. It returns
// an error when the connection is closed.
func (r *CacheRelay) Announce() error {
	r.mu.Lock()
	id := r.id
	r.mu.Unlock()
	m := natsgo.NewMsg(r.subject())
	m.Header.Set(senderHeader, id)
	if err := r.Client.Conn.PublishMsg(m); err != nil {
		return fmt.Errorf("nats: announce a change: %w", err)
	}
	return nil
}

// Close stops receiving announcements; it does not close the Client.
func (r *CacheRelay) Close() error { return r.sub.close(r.Client.Conn, "cache") }

func (r *CacheRelay) subject() string { return prefixOr(r.Prefix) + ".cache" }
