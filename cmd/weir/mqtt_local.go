package main

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/broker"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/triggers"
)

// How the MQTT node and the MQTT topic triggers reach a broker: with
// --mqtt-url, the external broker there (one topic space for every
// application, as before); without it, weir's own MQTT endpoint for devices
// (--mqtt-addr), where each application has its free topics to itself: a
// flow publishes to its application's devices and triggers, and a flow's
// trigger hears only its application's devices and flows.

// publisher returns the MQTT node's way to a broker, or nil when there is
// none.
func (m *Main) publisher() func(ctx context.Context, appID, flowID, topic string, payload []byte) error {
	switch {
	case m.mqtt != nil:
		return func(ctx context.Context, _, flowID, topic string, payload []byte) error {
			return m.mqtt.PublishFrom(ctx, flowID, topic, payload)
		}
	case m.broker != nil:
		return m.broker.Publish
	}
	return nil
}

// localMQTTTriggers makes the MQTT topic triggers hear the messages of
// the free topics of b, the MQTT endpoint for devices, unless --mqtt-url
// names a broker for them: every message of an application's free topics,
// from a device (before its PUBACK) or a flow of this process. Scaled out,
// a message starts its runs on the process where it was published, once.
func (m *Main) localMQTTTriggers(b *broker.Broker, runs weir.RunQueue) {
	if m.Config.MQTTURL != "" {
		return
	}
	m.topics = &triggers.MQTTTopics{Flows: m.inst.DB, Versions: m.inst.DB, Queue: runs, Logger: m.Logger, Broker: b}
	b.Messages = m.topics
}

// openLocalMQTTTriggers starts following the flows' MQTT topic triggers on
// the MQTT endpoint for devices, when it serves them.
func (m *Main) openLocalMQTTTriggers(cache *engine.FlowCache) error {
	if m.topics == nil {
		return nil
	}
	cache.OnInvalidate = m.topics.Changed
	return m.topics.Open()
}
