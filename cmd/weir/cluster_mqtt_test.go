package main

import (
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
)

// TestClusterMQTTTopicTrigger checks that an MQTT message starts its run
// when the runs go through NATS (--queue): the trigger queues it where the
// executors claim, not in the store's own queue, which nobody claims then.
func TestClusterMQTTTopicTrigger(t *testing.T) {
	broker := testBroker()
	ms, tok := startCluster(t, 1, func(c *Config) { c.MQTTURL = broker })
	c := &client{t: t, base: "http://" + ms[0].Addr(), token: tok}
	var app struct{ ID string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": "mqtt"}, &app)
	topic := "weir/cluster/" + weir.NewKey(8)
	var flow struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "listen", "enabled": true,
		"triggers": []any{map[string]any{"type": "mqttTopic", "key": topic, "config": map[string]any{}, "outputIds": []any{[]any{"count"}}}},
		"nodes":    []any{map[string]any{"id": "count", "type": "StoreValueNode", "config": map[string]any{"keyName": "count", "valueType": "incr", "value": "1"}}},
	}, &flow)
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID("weir-cluster-" + weir.NewKey(8)))
	if tk := pub.Connect(); !tk.WaitTimeout(10*time.Second) || tk.Error() != nil {
		t.Fatal(tk.Error())
	}
	defer pub.Disconnect(100)
	waitFor(t, 15*time.Second, "a run from a message", func() bool {
		pub.Publish(topic, 1, false, "x").WaitTimeout(5 * time.Second)
		time.Sleep(100 * time.Millisecond)
		var s map[string]any
		c.mustDo(200, "GET", "/applications/"+app.ID+"/flows/"+flow.ID+"/storage", nil, &s)
		return s["count"] != nil
	})
}
