package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
)

// TestMQTTRelayFlow runs, against the machine's broker (WEIR_TEST_MQTT_URL,
// else Mosquitto on 127.0.0.1:1883), a flow whose MQTT node publishes to a
// topic another flow's MQTT topic trigger listens on: that run's relay is
// {type: flow, id: the publishing flow}, while a message another client
// publishes there has relay public.
func TestMQTTRelayFlow(t *testing.T) {
	broker := testBroker()
	cfg := DefaultConfig()
	cfg.MQTTURL = broker
	m, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "mqtt relay"}, &app)

	topic := "weir/e2e/" + weir.NewKey(8) + "/relay" // a topic no other test uses
	var listen, speak struct {
		ID       string
		Triggers []struct{ Key string }
	}
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "listen", "enabled": true,
		"triggers": []any{map[string]any{"type": "mqttTopic", "key": topic, "config": map[string]any{}, "outputIds": []any{[]any{"last"}}}},
		"nodes": []any{map[string]any{"id": "last", "type": "StoreValueNode", "config": map[string]any{"keyName": "last", "valueType": "template",
			"value": "{{relayType}} {{relayId}} {{data}}"}}},
	}, &listen)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "speak", "enabled": true,
		"triggers": []any{map[string]any{"type": "virtualButton", "config": map[string]any{}, "outputIds": []any{[]any{"pub"}}}},
		"nodes": []any{map[string]any{"id": "pub", "type": "MqttMessageNode", "config": map[string]any{
			"topicTemplate": topic, "messageTemplate": "n{{data.n}}"}}},
	}, &speak)
	last := func() string {
		var s map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+listen.ID+"/storage", nil, &s)
		v, _ := s["last"].(string)
		return v
	}
	waitFor(t, 10*time.Second, "the trigger subscribed", func() bool { return slices.Contains(m.mqttSub.Filters(), topic) })

	// The broker may take a moment to apply the subscription: press until
	// a run stores a message.
	n := 0
	waitFor(t, 10*time.Second, "a run from the MQTT node's message", func() bool {
		n++
		c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+speak.ID+"/virtualButton",
			map[string]any{"key": speak.Triggers[0].Key, "payload": map[string]any{"n": n}}, nil)
		time.Sleep(100 * time.Millisecond)
		return last() != ""
	})
	if got, want := last(), "flow "+speak.ID+" n"; !strings.HasPrefix(got, want) {
		t.Errorf("the run of a flow's message stored %q, want %q…", got, want)
	}
	n++
	c.mustDo(200, "POST", "/applications/"+app.ID+"/flows/"+speak.ID+"/virtualButton",
		map[string]any{"key": speak.Triggers[0].Key, "payload": map[string]any{"n": n}}, nil)
	want := "flow " + speak.ID + " n" + strconv.Itoa(n)
	waitFor(t, 10*time.Second, want, func() bool { return last() == want })

	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID("weir-e2e-" + weir.NewKey(8)))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect to %s: %v", broker, tok.Error())
	}
	defer pub.Disconnect(100)
	if tok := pub.Publish(topic, 1, false, "outside"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	want = "public 000000000000000000000000 outside"
	waitFor(t, 10*time.Second, want, func() bool { return last() == want })
}
