package mqtt_test

import (
	"os"
	"strings"
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
