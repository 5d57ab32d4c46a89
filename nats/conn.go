package nats

import (
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Client is one connection to a NATS server with JetStream, shared by the
// queue and the cluster relays of a weir process. It is safe for concurrent
// use.
type Client struct {
	Conn *natsgo.Conn
	JS   jetstream.JetStream
}

// Dial connects to the NATS server at url (nats://host:4222), reconnecting
// by itself for as long as the client is open.
func Dial(url, name string) (*Client, error) {
	nc, err := natsgo.Connect(url,
		natsgo.Name(name),
		natsgo.Timeout(5*time.Second),
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(250*time.Millisecond),
	)
	if err != nil {
		return nil, fmt.Errorf("nats: connect %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	return &Client{Conn: nc, JS: js}, nil
}

// Close flushes what is buffered and closes the connection.
func (c *Client) Close() error {
	if c == nil || c.Conn == nil {
		return nil
	}
	err := c.Conn.Drain() // Drain closes the connection once flushed
	if err != nil {
		c.Conn.Close()
	}
	return nil
}
