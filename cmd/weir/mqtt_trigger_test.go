package main

import (
	"slices"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
)

// TestMQTTTopicTrigger runs MQTT topic triggers end to end against the
// machine's broker (WEIR_TEST_MQTT_URL, else Mosquitto on 127.0.0.1:1883):
// a message on a subscribed topic starts one run with the message as data,
// and the subscriptions follow the flow being disabled, enabled, given
// another topic and deleted.
func TestMQTTTopicTrigger(t *testing.T) {
	broker := testBroker()
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID("weir-e2e-" + weir.NewKey(8)))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect to %s: %v (is the MQTT broker running?)", broker, tok.Error())
	}
	defer pub.Disconnect(100)
	publish := func(topic, msg string) {
		t.Helper()
		if tok := pub.Publish(topic, 1, false, msg); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}

	cfg := DefaultConfig()
	cfg.MQTTURL = broker
	m, c := openMain(t, cfg)
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "mqtt"}, &app)

	root := "weir/e2e/" + weir.NewKey(8) // topics no other test uses
	trigger := func(topic string) []any {
		return []any{map[string]any{"type": "mqttTopic", "key": topic, "config": map[string]any{}, "meta": map[string]any{"name": "mqtt"},
			"outputIds": []any{[]any{"last", "count"}}}}
	}
	var flow struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "listen", "enabled": true, "triggers": trigger(root + "/+/temp"),
		"nodes": []any{
			map[string]any{"id": "last", "type": "StoreValueNode", "config": map[string]any{"keyName": "last", "valueType": "template",
				"value": "{{triggerType}} {{triggerId}} {{data}}"}},
			map[string]any{"id": "count", "type": "StoreValueNode", "config": map[string]any{"keyName": "count", "valueType": "incr", "value": "1"}},
		},
	}, &flow)
	flowPath := "/applications/" + app.ID + "/flows/" + flow.ID
	storage := func() map[string]any {
		var s map[string]any
		c.mustDo(200, "GET", flowPath+"/storage", nil, &s)
		return s
	}
	subscribed := func(filter string, want bool) {
		t.Helper()
		waitFor(t, 10*time.Second, filter+" subscribed: "+map[bool]string{true: "yes", false: "no"}[want], func() bool {
			return slices.Contains(m.mqttSub.Filters(), filter) == want
		})
	}

	subscribed(root+"/+/temp", true)
	// The broker may take a moment to apply the subscription: publish until
	// a run stores the message.
	waitFor(t, 10*time.Second, "a run from a message", func() bool {
		publish(root+"/kitchen/temp", "21.5")
		time.Sleep(50 * time.Millisecond)
		return storage()["last"] != nil
	})
	waitFor(t, 5*time.Second, "runs settled", func() bool {
		before := storage()["count"]
		time.Sleep(200 * time.Millisecond)
		return storage()["count"] == before
	})
	n, _ := storage()["count"].(float64)
	publish(root+"/hall/temp", "19")
	publish(root+"/hall/humidity", "60") // matches no trigger
	waitFor(t, 10*time.Second, "the run of the second message", func() bool {
		return storage()["last"] == "mqttTopic "+root+"/hall/temp 19"
	})
	time.Sleep(200 * time.Millisecond)
	if got := storage()["count"]; got != n+1 {
		t.Errorf("count = %v after one more message, want %v: one run per message", got, n+1)
	}

	c.mustDo(200, "PATCH", flowPath, map[string]any{"enabled": false}, nil)
	subscribed(root+"/+/temp", false)
	c.mustDo(200, "PATCH", flowPath, map[string]any{"enabled": true}, nil)
	subscribed(root+"/+/temp", true)
	c.mustDo(200, "PATCH", flowPath, map[string]any{"triggers": trigger(root + "/door")}, nil)
	subscribed(root+"/+/temp", false)
	subscribed(root+"/door", true)
	waitFor(t, 10*time.Second, "a run from the new topic", func() bool {
		publish(root+"/door", "open")
		time.Sleep(50 * time.Millisecond)
		return storage()["last"] == "mqttTopic "+root+"/door open"
	})
	c.mustDo(200, "DELETE", flowPath, nil, nil)
	subscribed(root+"/door", false)
}
