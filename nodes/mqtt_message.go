package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "MqttMessageNode",
		Name:     "mqtt",
		Category: "output",
		Summary:  "Publishes a message, QoS 0, not retained: to weir's MQTT endpoint, on the flow's application's topics, or to the broker of --mqtt-url when one is given.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "topicTemplate", Kind: "template", Required: true, Doc: "The topic; it may not contain wildcards or start with losant/."},
			{Name: "messageTemplate", Kind: "template", Doc: "The message text."},
			{Name: "integrationId", Kind: "string", Default: "losant", Doc: "Accepted and ignored: every message goes to weir's MQTT endpoint or --mqtt-url broker."},
			{Name: "configNameTemplate", Kind: "template", Doc: "Edge only; ignored."},
		},
	}, buildMqttMessage)
}

type mqttMessage struct {
	topic, message *template.Template
}

func buildMqttMessage(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		TopicTemplate   engine.Text `json:"topicTemplate"`
		MessageTemplate engine.Text `json:"messageTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(cfg.TopicTemplate)) == "" {
		return nil, engine.Errorf("Validation", "topicTemplate is required")
	}
	n := &mqttMessage{}
	var err error
	if n.topic, err = engine.CompileTemplate("topicTemplate", string(cfg.TopicTemplate)); err != nil {
		return nil, err
	}
	if n.message, err = engine.CompileTemplate("messageTemplate", string(cfg.MessageTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec publishes the rendered message and continues.
func (n *mqttMessage) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if env.Publish == nil {
		return 0, engine.Errorf("Error", "no MQTT broker: weir serve has neither an MQTT endpoint (--mqtt-addr) nor --mqtt-url")
	}
	topic, err := n.topic.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "topicTemplate: %v", err)
	}
	if topic == "" || strings.ContainsAny(topic, "#+") || strings.HasPrefix(topic, "losant/") || strings.HasPrefix(topic, "$") {
		return 0, engine.Errorf("Validation", "topic %q is not a topic a flow may publish to", topic)
	}
	msg, err := n.message.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "messageTemplate: %v", err)
	}
	if err := env.Publish(ctx, topic, []byte(msg)); err != nil {
		return 0, engine.Errorf("MqttError", "publish to %s: %v", topic, err)
	}
	return 0, nil
}
