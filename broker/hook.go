package broker

import (
	"bytes"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// hook connects mochi's events to the Broker.
type hook struct {
	mqtt.HookBase
	b *Broker
}

func (h *hook) ID() string { return "weir-devices" }

func (h *hook) Provides(b byte) bool {
	return bytes.Contains([]byte{
		mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnSessionEstablished, mqtt.OnDisconnect,
		mqtt.OnPacketRead, mqtt.OnPacketEncode, mqtt.OnPublish,
	}, []byte{b})
}

// OnConnectAuthenticate checks the device's key and secret.
func (h *hook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	return h.b.authenticate(cl, pk)
}

// OnSessionEstablished marks the device connected.
func (h *hook) OnSessionEstablished(cl *mqtt.Client, _ packets.Packet) { h.b.connected(cl) }

// OnDisconnect marks the device disconnected.
func (h *hook) OnDisconnect(cl *mqtt.Client, err error, _ bool) { h.b.disconnected(cl, err) }

// OnPacketRead moves the topics of a device's publish, subscribe and
// unsubscribe packets into its application's namespace.
func (h *hook) OnPacketRead(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	s := h.b.session(cl)
	if s == nil {
		return pk, nil
	}
	switch pk.FixedHeader.Type {
	case packets.Publish:
		pk.TopicName = mapTopic(s, pk.TopicName)
	case packets.Subscribe, packets.Unsubscribe:
		filters := make(packets.Subscriptions, len(pk.Filters))
		for i, f := range pk.Filters {
			f.Filter = mapTopic(s, f.Filter)
			filters[i] = f
		}
		pk.Filters = filters
	}
	return pk, nil
}

// OnPacketEncode takes the application's namespace off the topics the
// device receives.
func (h *hook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	if pk.FixedHeader.Type != packets.Publish || cl.Net.Inline {
		return pk
	}
	if s := h.b.session(cl); s != nil {
		pk.TopicName = strings.TrimPrefix(pk.TopicName, s.prefix)
	}
	return pk
}

// OnACLCheck lets a device publish its own state, read its own commands
// and use its application's free topics as its key's topic restrictions
// allow (checked on subscribing, publishing and on each message delivered);
// every other losant/ topic (another device's) and $ topic is refused and
// logged.
func (h *hook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	s := h.b.session(cl)
	if s == nil {
		return false
	}
	switch {
	case strings.HasPrefix(topic, s.prefix):
		// A filter with wildcards is subscribed: each message it brings is
		// checked on delivery, topic by topic.
		free := strings.TrimPrefix(topic, s.prefix)
		if s.key == nil || !write && strings.ContainsAny(free, "+#") || s.key.AllowsTopic(free, write) {
			return true
		}
	case write && deviceTopic(topic, "state") != "" && h.b.reaches(s, deviceTopic(topic, "state")):
		return true
	case !write && deviceTopic(topic, "command") != "" && h.b.reaches(s, deviceTopic(topic, "command")):
		return true
	}
	h.b.Logger.Warn("mqtt: topic refused", "device_id", cl.ID, "topic", topic, "write", write)
	return false
}

// OnPublish commits a device's own state, and hands its messages on free
// topics to the triggers and the other processes, before the PUBACK.
func (h *hook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	s := h.b.session(cl)
	if s != nil && strings.HasPrefix(pk.TopicName, s.prefix) {
		return pk, h.b.message(cl, s, pk)
	}
	id := deviceTopic(pk.TopicName, "state")
	if s == nil || id == "" || !h.b.reaches(s, id) {
		return pk, nil
	}
	if strings.EqualFold(id, s.device.ID) {
		id = s.device.ID
	}
	return pk, h.b.state(cl, s, strings.ToLower(id), pk)
}
