package main

import (
	"slices"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// TestFreeTopicsOverMQTT runs the free topics of weir's own MQTT endpoint
// end to end in one process (no --mqtt-url): a device's message on
// plant/line1 runs its application's mqttTopic flow, whose MQTT node
// publishes to a device of the same application; a device of another
// application receives nothing and runs none of its flows.
func TestFreeTopicsOverMQTT(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MQTTAddr = "127.0.0.1:0"
	m, c := openMain(t, cfg)
	testFreeTopics(t, m, m, c)
}

// mqttApp is an application with an access key, a device connected to
// each of the given processes, and a flow on the MQTT topic plant/line1
// that stores who published what and answers on reply/line1.
type mqttApp struct {
	id, flow string
	devices  []paho.Client
	ids      []string
}

func newMQTTApp(t *testing.T, c *client, name string, ms ...*Main) *mqttApp {
	t.Helper()
	var app, key struct{ ID, Key, Secret string }
	c.mustDo(201, "POST", "/applications", map[string]any{"name": name}, &app)
	c.mustDo(201, "POST", "/applications/"+app.ID+"/keys", map[string]any{"description": name}, &key)
	var flow struct{ ID string }
	c.mustDo(201, "POST", "/applications/"+app.ID+"/flows", map[string]any{
		"name": "line1", "enabled": true,
		"triggers": []any{map[string]any{"type": "mqttTopic", "key": "plant/line1", "config": map[string]any{}, "outputIds": []any{[]any{"last", "reply"}}}},
		"nodes": []any{
			map[string]any{"id": "last", "type": "StoreValueNode", "config": map[string]any{"keyName": "last", "valueType": "template",
				"value": "{{relayType}} {{relayId}} {{data}}"}},
			map[string]any{"id": "reply", "type": "MqttMessageNode", "config": map[string]any{
				"topicTemplate": "reply/line1", "messageTemplate": "got {{data}}"}},
		},
	}, &flow)
	a := &mqttApp{id: app.ID, flow: flow.ID}
	for _, m := range ms {
		var dev struct{ ID string }
		c.mustDo(201, "POST", "/applications/"+app.ID+"/devices", map[string]any{"name": "d"}, &dev)
		cl := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + m.MQTTAddr()).SetClientID(dev.ID).
			SetUsername(key.Key).SetPassword(key.Secret).SetAutoReconnect(false))
		if tok := cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("connect: %v", tok.Error())
		}
		t.Cleanup(func() { cl.Disconnect(50) })
		a.devices, a.ids = append(a.devices, cl), append(a.ids, dev.ID)
	}
	return a
}

// last returns what the application's flow stored last.
func (a *mqttApp) last(c *client) string {
	var s map[string]any
	c.mustDo(200, "GET", "/applications/"+a.id+"/flows/"+a.flow+"/storage", nil, &s)
	v, _ := s["last"].(string)
	return v
}

// testFreeTopics checks free topics with devices of one application on
// processes m1 and m2, and of another on m1.
func testFreeTopics(t *testing.T, m1, m2 *Main, c *client) {
	t.Helper()
	a := newMQTTApp(t, c, "plant A", m1, m2)
	b := newMQTTApp(t, c, "plant B", m1)
	for _, m := range []*Main{m1, m2} {
		waitFor(t, 10*time.Second, "the triggers followed", func() bool {
			return m.topics != nil && slices.Contains(m.topics.Filters(), "plant/line1")
		})
	}
	got := func(cl paho.Client, filter string) chan string {
		ch := make(chan string, 8)
		if tok := cl.Subscribe(filter, 1, func(_ paho.Client, msg paho.Message) { ch <- msg.Topic() + " " + string(msg.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("subscribe: %v", tok.Error())
		}
		return ch
	}
	sameApp, otherApp := got(a.devices[1], "#"), got(b.devices[0], "#")
	if tok := a.devices[0].Publish("plant/line1", 1, false, "42"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	// Acknowledged: the run is queued.
	waitFor(t, 10*time.Second, "the mqttTopic run", func() bool { return a.last(c) == "device "+a.ids[0]+" 42" })
	for _, want := range []string{"plant/line1 42", "reply/line1 got 42"} {
		select {
		case m := <-sameApp:
			if m != want {
				t.Fatalf("a device of the same application received %q, want %q", m, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("a device of the same application never received %q", want)
		}
	}
	select {
	case m := <-otherApp:
		t.Fatalf("a device of another application received %q", m)
	case <-time.After(300 * time.Millisecond):
	}
	if v := b.last(c); v != "" {
		t.Fatalf("another application's flow ran: %q", v)
	}
}
