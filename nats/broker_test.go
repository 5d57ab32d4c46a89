package nats_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir/nats"
)

// TestBrokerRelay_OthersOnly sends from one of three processes: the two
// others receive the message, topic, payload and QoS intact; the sender
// does not hear its own.
func TestBrokerRelay_OthersOnly(t *testing.T) {
	prefix := uniquePrefix(t)
	type got struct {
		topic, payload string
		qos            byte
	}
	relays := make([]*nats.BrokerRelay, 3)
	chans := make([]chan got, 3)
	for i := range relays {
		relays[i] = &nats.BrokerRelay{Client: mustClusterClient(t), Prefix: prefix}
		ch := make(chan got, 4)
		chans[i] = ch
		if err := relays[i].Open(func(topic string, payload []byte, qos byte) { ch <- got{topic, string(payload), qos} }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { relays[i].Close() })
	}
	if err := relays[0].Send("losant/0123456789abcdef01234567/command", []byte(`{"name":"x"}`), 1); err != nil {
		t.Fatal(err)
	}
	want := got{"losant/0123456789abcdef01234567/command", `{"name":"x"}`, 1}
	for i := 1; i < 3; i++ {
		select {
		case g := <-chans[i]:
			if g != want {
				t.Errorf("process %d received %+v, want %+v", i, g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("process %d never received the message", i)
		}
	}
	select {
	case g := <-chans[0]:
		t.Fatalf("the sender received its own message %+v", g)
	case <-time.After(200 * time.Millisecond):
	}
}
