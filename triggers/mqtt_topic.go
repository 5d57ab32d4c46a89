package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// TriggerMQTTTopic is the type of the MQTT topic trigger.
const TriggerMQTTTopic = "mqttTopic"

// Origins tells which flow of this process published a message; the mqtt
// package's Ledger is one. Take forgets what it returns, so that each
// publication is recognised once.
type Origins interface {
	Take(topic string, payload []byte) (flowID string, ok bool)
}

// Broker is the MQTT connection MQTTTopics subscribes through; the mqtt
// package's Subscriber is one. SetFilters makes filters the subscribed set.
type Broker interface {
	SetFilters(ctx context.Context, filters []string) error
}

// MQTTTopics fires the MQTT topic triggers of every enabled flow's default
// version: it keeps Broker subscribed to their topic filters and, for each
// message Deliver is handed, durably queues one run per trigger whose filter
// matches the message's topic. A trigger's key is its filter ("+" and "#"
// wildcards allowed); filters on "losant/…" device topics or "$" system
// topics are not subscribed. Its integrationId is "losant" (or absent), and
// the run's data is the message as a string, or "local", and the data is
// {message, topic}; "external" (an edge client configuration) is not
// fired. A message Origins recognises as published by a flow (the MQTT
// node) gives its runs relay {type: flow, id: that flow}; any other,
// relay public. Flows are re-read every Refresh, and at once after Changed.
type MQTTTopics struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Queue    weir.RunQueue
	Broker   Broker
	Origins  Origins // nil: every message is public
	Logger   *slog.Logger
	Now      func() time.Time
	Refresh  time.Duration // default 5 s

	mu       sync.Mutex
	triggers []mqttTrigger
	changed  chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
}

// mqttTrigger is one subscribed MQTT topic trigger.
type mqttTrigger struct {
	appID, flowID, version, key string
	filter                      []string // the key's levels
	local                       bool     // integrationId local: data is {message, topic}
}

// Open reads the flows, subscribes, and keeps following the flows in the
// background. It fails when Broker is not set.
func (m *MQTTTopics) Open() error {
	if m.Broker == nil {
		return errors.New("mqtt triggers: no broker")
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if m.Refresh <= 0 {
		m.Refresh = 5 * time.Second
	}
	m.changed = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go m.loop(ctx)
	return nil
}

// Close stops following the flows. Deliver still queues runs for the
// triggers last read.
func (m *MQTTTopics) Close() error {
	if m.cancel != nil {
		m.cancel()
		<-m.done
	}
	return nil
}

// Changed asks for the flows to be read again now: a flow was created,
// changed, enabled, disabled or deleted. It never blocks.
func (m *MQTTTopics) Changed() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// Deliver queues one run for each trigger whose filter matches topic, with
// the message as its data: a message of the --mqtt-url broker, which every
// application's triggers hear. It returns once the runs are stored; a run
// that cannot be stored is logged.
func (m *MQTTTopics) Deliver(topic string, payload []byte) {
	relayType, relayID := m.relay(topic, payload) // first, so that every publication is taken once
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = m.deliver(ctx, "", topic, payload, relayType, relayID)
}

// Message queues one run for each trigger of application appID whose filter
// matches topic: a message of weir's own MQTT endpoint, published on one of
// the application's free topics by a device (relay device, its id) or a
// flow's MQTT node (relay flow, its id). It returns once the runs are
// stored, or with the error of the first that could not be (the others are
// still queued).
func (m *MQTTTopics) Message(ctx context.Context, appID, topic string, payload []byte, relayType, relayID string) error {
	return m.deliver(ctx, appID, topic, payload, relayType, relayID)
}

// deliver queues the runs of the triggers of appID ("": of every
// application) whose filter matches topic.
func (m *MQTTTopics) deliver(ctx context.Context, appID, topic string, payload []byte, relayType, relayID string) error {
	m.mu.Lock()
	var matched []mqttTrigger
	for _, t := range m.triggers {
		if (appID == "" || t.appID == appID) && weir.MatchTopicLevels(t.filter, topic) {
			matched = append(matched, t)
		}
	}
	m.mu.Unlock()
	at := m.Now().UTC().Truncate(time.Millisecond)
	var first error
	for _, t := range matched {
		data, err := mqttData(t, topic, payload)
		if err != nil {
			m.Logger.Error("mqtt triggers: encode message", "flow_id", t.flowID, "err", err)
			continue
		}
		run := &weir.Run{
			ID: weir.NewID(), ApplicationID: t.appID, FlowID: t.flowID, FlowVersion: t.version,
			TriggerType: TriggerMQTTTopic, TriggerKey: t.key, TriggerID: topic,
			RelayType: relayType, RelayID: relayID, Time: at, Data: data,
		}
		if err := m.Queue.EnqueueRun(ctx, run); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
			m.Logger.Error("mqtt triggers: enqueue run", "flow_id", t.flowID, "topic", topic, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// relay returns who published a message: the flow Origins names, or the
// public.
func (m *MQTTTopics) relay(topic string, payload []byte) (typ, id string) {
	if m.Origins != nil {
		if flowID, ok := m.Origins.Take(topic, payload); ok {
			return "flow", flowID
		}
	}
	return "public", "000000000000000000000000"
}

// Filters returns the topic filters of the triggers last read, sorted.
func (m *MQTTTopics) Filters() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, t := range m.triggers {
		out = append(out, t.key)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ValidTopicFilter reports whether f is an MQTT topic filter (see
// weir.ValidTopicFilter).
func ValidTopicFilter(f string) bool { return weir.ValidTopicFilter(f) }

// MatchTopic reports whether topic matches filter, as a broker decides (see
// weir.MatchTopic).
func MatchTopic(filter, topic string) bool { return weir.MatchTopic(filter, topic) }

func (m *MQTTTopics) loop(ctx context.Context) {
	defer close(m.done)
	tick := time.NewTicker(m.Refresh)
	defer tick.Stop()
	for {
		if err := m.reload(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("mqtt triggers: read flows", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-m.changed:
		}
	}
}

// reload re-reads every enabled flow's MQTT topic triggers and subscribes
// to their filters.
func (m *MQTTTopics) reload(ctx context.Context) error {
	flows, _, err := m.Flows.FindFlows(ctx, weir.FlowFilter{})
	if err != nil {
		return err
	}
	var found []mqttTrigger
	var filters []string
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		v, err := engine.ResolveVersion(ctx, m.Versions, f, "")
		if err != nil || !v.Enabled {
			continue
		}
		for _, t := range v.Def.Triggers {
			mt, ok := m.parse(f, v.Name, t)
			if !ok {
				continue
			}
			found = append(found, mt)
			filters = append(filters, t.Key)
		}
	}
	m.mu.Lock()
	m.triggers = found
	m.mu.Unlock()
	return m.Broker.SetFilters(ctx, filters)
}

// parse reads one trigger of flow f; ok is false unless it is an MQTT
// topic trigger weir subscribes to.
func (m *MQTTTopics) parse(f *weir.Flow, version string, t weir.Trigger) (mqttTrigger, bool) {
	if t.Type != TriggerMQTTTopic || t.Key == "" {
		return mqttTrigger{}, false
	}
	var cfg struct {
		IntegrationID string `json:"integrationId"`
	}
	if len(t.Config) > 0 {
		_ = json.Unmarshal(t.Config, &cfg)
	}
	switch {
	case cfg.IntegrationID != "" && cfg.IntegrationID != "losant" && cfg.IntegrationID != "local":
		return mqttTrigger{}, false
	case !ValidTopicFilter(t.Key) || strings.HasPrefix(t.Key, "losant/") || strings.HasPrefix(t.Key, "$"):
		m.Logger.Warn("mqtt triggers: topic filter not subscribed", "flow_id", f.ID, "trigger_key", t.Key)
		return mqttTrigger{}, false
	}
	return mqttTrigger{appID: f.ApplicationID, flowID: f.ID, version: version, key: t.Key,
		filter: strings.Split(t.Key, "/"), local: cfg.IntegrationID == "local"}, true
}

// mqttData is a message's run data: the message as a string, or for a
// local trigger {message, topic}.
func mqttData(t mqttTrigger, topic string, payload []byte) (json.RawMessage, error) {
	if t.local {
		return json.Marshal(map[string]string{"message": string(payload), "topic": topic})
	}
	return json.Marshal(string(payload))
}
