package main

import (
	"encoding/json"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// TestClusterCommandReachesOtherProcess runs two processes on PostgreSQL
// and NATS: a device connected to the first receives a command sent
// through the REST API of the second.
func TestClusterCommandReachesOtherProcess(t *testing.T) {
	ms, tok := startCluster(t, 2, func(c *Config) { c.MQTTAddr = "127.0.0.1:0" })
	c := &client{t: t, base: "http://" + ms[1].Addr(), token: tok}
	a := newMQTTApp(t, c, "plant", ms[0])
	commands := make(chan []byte, 1)
	if tk := a.devices[0].Subscribe("losant/"+a.ids[0]+"/command", 1, func(_ paho.Client, m paho.Message) { commands <- m.Payload() }); !tk.WaitTimeout(10*time.Second) || tk.Error() != nil {
		t.Fatalf("subscribe: %v", tk.Error())
	}
	c.mustDo(200, "POST", "/applications/"+a.id+"/devices/"+a.ids[0]+"/command",
		map[string]any{"name": "reboot", "payload": map[string]any{"delay": 5}}, nil)
	select {
	case b := <-commands:
		var cmd struct {
			Name    string
			Payload map[string]any
		}
		if err := json.Unmarshal(b, &cmd); err != nil || cmd.Name != "reboot" || cmd.Payload["delay"] != 5.0 {
			t.Fatalf("command %s (%v), want reboot with delay 5", b, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a command sent on another process never reached the device")
	}
}

// TestClusterFreeTopics is TestFreeTopicsOverMQTT with the devices of one
// application connected to two processes on PostgreSQL and NATS.
func TestClusterFreeTopics(t *testing.T) {
	ms, tok := startCluster(t, 2, func(c *Config) { c.MQTTAddr = "127.0.0.1:0" })
	testFreeTopics(t, ms[0], ms[1], &client{t: t, base: "http://" + ms[1].Addr(), token: tok})
}
