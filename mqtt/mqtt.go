// Package mqtt publishes messages to an MQTT broker for the MQTT node and
// subscribes to it for MQTT topic triggers; it is the one home of the MQTT
// client library.
package mqtt

import (
	"context"
	"fmt"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Publisher keeps one connection to a broker and publishes on it. It
// connects lazily and reconnects by itself; it is safe for concurrent use.
type Publisher struct {
	URL      string // e.g. tcp://127.0.0.1:1883 or mqtt://user:pass@host:1883
	ClientID string
	Timeout  time.Duration // connect and publish timeout; default 10 s
	// Ledger, when set, records the origin of each message PublishFrom
	// sends, for a Subscriber of this process to recognise it.
	Ledger *Ledger

	mu     sync.Mutex
	client paho.Client
}

// Publish sends payload to topic with QoS 0, not retained, and waits until
// the broker has it or ctx (or the timeout) ends.
func (p *Publisher) Publish(ctx context.Context, topic string, payload []byte) error {
	return p.PublishFrom(ctx, "", topic, payload)
}

// PublishFrom publishes like Publish on behalf of origin (a flow id),
// which Ledger records unless it is "".
func (p *Publisher) PublishFrom(ctx context.Context, origin, topic string, payload []byte) error {
	c, err := p.connect(ctx)
	if err != nil {
		return err
	}
	if p.Ledger == nil || origin == "" {
		return wait(ctx, p.timeout(), c.Publish(topic, 0, false, payload), "publish")
	}
	// Recorded first: the broker may hand the message back before the
	// publication returns.
	p.Ledger.Record(topic, payload, origin)
	err = wait(ctx, p.timeout(), c.Publish(topic, 0, false, payload), "publish")
	if err != nil {
		p.Ledger.Forget(topic, payload, origin)
	}
	return err
}

// Close disconnects from the broker.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil {
		p.client.Disconnect(250)
		p.client = nil
	}
	return nil
}

// connect returns the connected client, connecting first when needed.
func (p *Publisher) connect(ctx context.Context) (paho.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil && p.client.IsConnectionOpen() {
		return p.client, nil
	}
	if p.URL == "" {
		return nil, fmt.Errorf("no MQTT broker is configured")
	}
	opts := paho.NewClientOptions().AddBroker(p.URL).SetClientID(p.ClientID).
		SetAutoReconnect(true).SetConnectTimeout(p.timeout()).SetCleanSession(true)
	c := paho.NewClient(opts)
	if err := wait(ctx, p.timeout(), c.Connect(), "connect to "+p.URL); err != nil {
		c.Disconnect(0) // stop a connection attempt still under way
		return nil, err
	}
	p.client = c
	return c, nil
}

func (p *Publisher) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return 10 * time.Second
}

// wait waits for tok, ctx or the timeout, whichever comes first.
func wait(ctx context.Context, timeout time.Duration, tok paho.Token, what string) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fmt.Errorf("mqtt %s: %w", what, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("mqtt %s: timed out after %s", what, timeout)
	}
}
