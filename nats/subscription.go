package nats

import (
	"fmt"
	"sync"

	natsgo "github.com/nats-io/nats.go"
)

// subscription is one relay's subscription, closed once.
type subscription struct {
	mu  sync.Mutex
	sub *natsgo.Subscription
}

// set keeps sub as the relay's subscription.
func (s *subscription) set(sub *natsgo.Subscription) {
	s.mu.Lock()
	s.sub = sub
	s.mu.Unlock()
}

// close unsubscribes, once; what names the relay in errors. An error is
// only reported while conn is connected: a closed connection has dropped
// the subscription already.
func (s *subscription) close(conn *natsgo.Conn, what string) error {
	s.mu.Lock()
	sub := s.sub
	s.sub = nil
	s.mu.Unlock()
	if sub == nil {
		return nil
	}
	if err := sub.Unsubscribe(); err != nil && conn.IsConnected() {
		return fmt.Errorf("nats: unsubscribe %s: %w", what, err)
	}
	return nil
}

// subscribe subscribes handler to subject and waits until the server has
// the subscription, so that what is published next reaches it.
func subscribe(conn *natsgo.Conn, subject string, handler natsgo.MsgHandler) (*natsgo.Subscription, error) {
	sub, err := conn.Subscribe(subject, handler)
	if err == nil {
		if err = conn.Flush(); err != nil {
			_ = sub.Unsubscribe()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("nats: subscribe %s: %w", subject, err)
	}
	return sub, nil
}
