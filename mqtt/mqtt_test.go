package mqtt_test

import (
	"context"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir/mqtt"
)

// brokerURL is the broker the tests use: WEIR_TEST_MQTT_URL, else the
// Mosquitto the machine runs on loopback.
func brokerURL() string {
	if u := os.Getenv("WEIR_TEST_MQTT_URL"); u != "" {
		return u
	}
	return "tcp://127.0.0.1:1883"
}

func TestPublishReachesSubscriber(t *testing.T) {
	sub := paho.NewClient(paho.NewClientOptions().AddBroker(brokerURL()).SetClientID("weir-test-sub"))
	if tok := sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect subscriber to %s: %v (is the MQTT broker running?)", brokerURL(), tok.Error())
	}
	defer sub.Disconnect(100)
	got := make(chan string, 1)
	topic := "weir/test/" + strings.ReplaceAll(t.Name(), "/", "_")
	if tok := sub.Subscribe(topic, 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	p := &mqtt.Publisher{URL: brokerURL(), ClientID: "weir-test-pub"}
	defer p.Close()
	if err := p.Publish(t.Context(), topic, []byte("hello")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	select {
	case m := <-got:
		if m != "hello" {
			t.Errorf("subscriber got %q, want hello", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the message never reached the subscriber")
	}
}

func TestPublishWithoutBrokerFails(t *testing.T) {
	p := &mqtt.Publisher{URL: "tcp://127.0.0.1:1", Timeout: 2 * time.Second}
	if err := p.Publish(t.Context(), "t", []byte("x")); err == nil {
		t.Error("Publish to a closed port succeeded")
	}
	if err := (&mqtt.Publisher{}).Publish(t.Context(), "t", nil); err == nil {
		t.Error("Publish without a URL succeeded")
	}
}

// TestPublishToSilentBrokerTimesOut connects to a server that accepts the
// connection and never answers: Publish gives up after the timeout, and
// again on the next call rather than hanging on a half-made connection.
func TestPublishToSilentBrokerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	p := &mqtt.Publisher{URL: "tcp://" + ln.Addr().String(), ClientID: "weir-silent", Timeout: 300 * time.Millisecond}
	defer p.Close()
	for i := range 2 {
		start := time.Now()
		err := p.Publish(t.Context(), "t", []byte("x"))
		if d := time.Since(start); err == nil || d > 3*time.Second {
			t.Fatalf("publish %d to a silent broker = %v after %s, want an error after about the 300ms timeout", i, err, d)
		}
	}
	// The run's own deadline bounds the wait as well.
	p.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.Publish(ctx, "t", []byte("x")); err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("publish under a 200ms deadline = %v after %s, want the deadline's error", err, time.Since(start))
	}
}
