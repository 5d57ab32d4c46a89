package nats

import (
	"fmt"
	"strconv"
	"sync"

	natsgo "github.com/nats-io/nats.go"

	"github.com/weirhq/weir"
)

// Headers of a relayed MQTT message.
const (
	hdrMQTTOrigin = "Weir-Origin"
	hdrMQTTTopic  = "Weir-Topic"
	hdrMQTTQoS    = "Weir-Qos"
)

// BrokerRelay carries the messages of weir's MQTT endpoint (device
// commands and applications' free-topic messages) among the processes of a
// cluster over core NATS, on one subject (<prefix>.mqtt) every process
// subscribes to: a device connected to any process receives what is
// published on any other. A process ignores its own messages, which its
// broker delivered already. Delivery is at most once, as MQTT QoS 0
// between processes: a process that is disconnected from NATS misses
// messages meanwhile. It implements broker.Relay and is safe for concurrent
// use.
type BrokerRelay struct {
	Client *Client
	Prefix string // default DefaultPrefix

	once   sync.Once
	origin string // this relay's id, on its messages
	sub    subscription
}

// id returns the relay's origin id.
func (r *BrokerRelay) id() string {
	r.once.Do(func() { r.origin = weir.NewKey(16) })
	return r.origin
}

// Open subscribes to the other processes' messages and hands each to
// receive (broker.Broker.Receive), one at a time.
func (r *BrokerRelay) Open(receive func(topic string, payload []byte, qos byte)) error {
	own := r.id()
	sub, err := subscribe(r.Client.Conn, r.subject(), func(m *natsgo.Msg) {
		if m.Header.Get(hdrMQTTOrigin) == own {
			return
		}
		topic := m.Header.Get(hdrMQTTTopic)
		qos, err := strconv.Atoi(m.Header.Get(hdrMQTTQoS))
		if topic == "" || err != nil || qos < 0 || qos > 1 {
			return
		}
		receive(topic, m.Data, byte(qos))
	})
	if err != nil {
		return err
	}
	r.sub.set(sub)
	return nil
}

// Send hands a message on the broker-side topic to the other processes.
func (r *BrokerRelay) Send(topic string, payload []byte, qos byte) error {
	m := natsgo.NewMsg(r.subject())
	m.Header.Set(hdrMQTTOrigin, r.id())
	m.Header.Set(hdrMQTTTopic, topic)
	m.Header.Set(hdrMQTTQoS, strconv.Itoa(int(qos)))
	m.Data = payload
	if err := r.Client.Conn.PublishMsg(m); err != nil {
		return fmt.Errorf("nats: relay an MQTT message: %w", err)
	}
	return nil
}

// Close stops receiving; it does not close the Client.
func (r *BrokerRelay) Close() error { return r.sub.close(r.Client.Conn, "mqtt") }

func (r *BrokerRelay) subject() string { return prefixOr(r.Prefix) + ".mqtt" }
