package broker

import (
	"context"
	"errors"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/weirhq/weir"
)

// MessageHandler hears of the messages published on an application's free
// topics (those not starting with losant/ or $): weir's MQTT topic triggers
// start runs from them. relayType is "device" (relayID the publishing
// device) or "flow" (relayID the flow whose MQTT node published).
type MessageHandler interface {
	Message(ctx context.Context, appID, topic string, payload []byte, relayType, relayID string) error
}

// Relay carries messages to the brokers of a cluster's other processes,
// which hand them to Receive: commands and free-topic messages reach
// devices connected to any process. topic is the broker-side topic (a free
// topic still in its application's namespace).
type Relay interface {
	Send(topic string, payload []byte, qos byte) error
}

// Publish sends payload, QoS 0 and not retained, on topic, one of
// application appID's free topics, on behalf of flow flowID (the MQTT
// node): the application's devices subscribed to it receive it, here and,
// through Cluster, on the other processes, and Messages hears of it. A
// topic that is empty, has wildcards or starts with losant/ or $ is a
// Validation error, a payload over MaxPayload a LimitExceeded one.
func (b *Broker) Publish(ctx context.Context, appID, flowID, topic string, payload []byte) error {
	if !freeTopic(topic) || strings.ContainsAny(topic, "+#") || strings.ContainsRune(topic, 0) {
		return weir.Errorf(weir.Validation, "topic %q is not a topic a flow may publish to", topic)
	}
	if len(payload) > MaxPayload {
		return weir.Errorf(weir.PayloadTooLarge, "MQTT message of %d bytes is over the 256 KB limit", len(payload))
	}
	inner := appTopicPrefix + appID + "/" + topic
	if err := b.server.Publish(inner, payload, false, 0); err != nil {
		return err
	}
	return errors.Join(b.relay(inner, payload, 0), b.heard(ctx, appID, topic, payload, "flow", flowID))
}

// Receive publishes a message another process's broker relayed (see
// Relay) to the devices connected here; topics other than a device's
// command topic or a free topic of an application are ignored.
func (b *Broker) Receive(topic string, payload []byte, qos byte) {
	if deviceTopic(topic, "command") == "" && !strings.HasPrefix(topic, appTopicPrefix) || qos > 1 {
		b.Logger.Warn("mqtt: relayed message ignored", "topic", topic)
		return
	}
	if err := b.server.Publish(topic, payload, false, qos); err != nil {
		b.Logger.Error("mqtt: publish a relayed message", "topic", topic, "err", err)
	}
}

// SetFilters does nothing: the MQTT topic triggers hear of every message
// on the free topics of their application through Messages, with nothing
// to subscribe. It lets the Broker stand where the triggers want a
// subscriber.
func (b *Broker) SetFilters(context.Context, []string) error { return nil }

// message hands a device's message on a free topic of its application to
// the other processes and to Messages before it is acknowledged; a message
// Messages could not take is not acknowledged, so the device sends it again.
func (b *Broker) message(cl *mqtt.Client, s *session, pk packets.Packet) error {
	if err := b.relay(pk.TopicName, pk.Payload, pk.FixedHeader.Qos); err != nil {
		b.Logger.Warn("mqtt: message not relayed to the other processes", "device_id", cl.ID, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	topic := strings.TrimPrefix(pk.TopicName, s.prefix)
	if err := b.heard(ctx, s.device.ApplicationID, topic, pk.Payload, "device", s.device.ID); err != nil {
		b.Logger.Error("mqtt: message triggers; not acknowledged", "device_id", cl.ID, "topic", topic, "err", err)
		return packets.ErrRejectPacket
	}
	return nil
}

// relay hands a message to Cluster, if set.
func (b *Broker) relay(topic string, payload []byte, qos byte) error {
	if b.Cluster == nil {
		return nil
	}
	return b.Cluster.Send(topic, payload, qos)
}

// heard hands a free-topic message to Messages, if set.
func (b *Broker) heard(ctx context.Context, appID, topic string, payload []byte, relayType, relayID string) error {
	if b.Messages == nil {
		return nil
	}
	return b.Messages.Message(ctx, appID, topic, payload, relayType, relayID)
}

// freeTopic reports whether a device's topic is a free topic of its
// application: not empty, not losant/… and not $….
func freeTopic(topic string) bool {
	return topic != "" && topic != "losant" && !strings.HasPrefix(topic, "losant/") && !strings.HasPrefix(topic, "$")
}
