package broker_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/weirhq/weir"
)

// heard records what the broker hands to its MessageHandler.
type heard struct {
	mu   sync.Mutex
	msgs []string
	fail error
}

func (h *heard) Message(_ context.Context, appID, topic string, payload []byte, relayType, relayID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	h.msgs = append(h.msgs, appID+" "+topic+" "+string(payload)+" "+relayType+" "+relayID)
	return nil
}

func (h *heard) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.msgs...)
}

// subscribe subscribes c to filter and returns the messages it receives,
// as "topic payload".
func subscribe(t *testing.T, c paho.Client, filter string) chan string {
	t.Helper()
	ch := make(chan string, 16)
	if tok := c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) { ch <- m.Topic() + " " + string(m.Payload()) }); !tok.WaitTimeout(wait) || tok.Error() != nil {
		t.Fatalf("subscribe %s: %v", filter, tok.Error())
	}
	return ch
}

// expect fails t unless ch yields want; none fails it if ch yields anything
// within a moment.
func expect(t *testing.T, ch chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("received %q, want %q", got, want)
		}
	case <-time.After(wait):
		t.Fatalf("never received %q", want)
	}
}

func none(t *testing.T, ch chan string, who string) {
	t.Helper()
	select {
	case got := <-ch:
		t.Fatalf("%s received %q", who, got)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestDeviceMessageHeardBeforePuback(t *testing.T) {
	e := newEnv(t)
	h := &heard{}
	e.b.Messages = h
	c := e.connect(e.d1, e.keyA, e.secret, true)
	if err := e.publish(c, "plant/line1", "42"); err != nil {
		t.Fatal(err)
	}
	// Acknowledged: the handler already has it.
	want := e.d1.ApplicationID + " plant/line1 42 device " + e.d1.ID
	if got := h.all(); len(got) != 1 || got[0] != want {
		t.Fatalf("heard %q, want [%q]", got, want)
	}
	// State topics are not free topics.
	if err := e.publish(c, "losant/"+e.d1.ID+"/state", `{"data":{"temp":1}}`); err != nil {
		t.Fatal(err)
	}
	if got := h.all(); len(got) != 1 {
		t.Fatalf("a state message was heard as a free-topic message: %q", got)
	}
}

func TestDeviceMessageNotTakenNotAcknowledged(t *testing.T) {
	e := newEnv(t)
	e.b.Messages = &heard{fail: errors.New("store down")}
	c := e.connect(e.d1, e.keyA, e.secret, true)
	tok := c.Publish("plant/line1", 1, false, "42")
	if tok.WaitTimeout(500 * time.Millisecond) {
		t.Fatalf("a message the triggers could not take was acknowledged (err %v)", tok.Error())
	}
}

func TestFlowPublishReachesOnlyItsApplication(t *testing.T) {
	e := newEnv(t)
	h := &heard{}
	e.b.Messages = h
	same := subscribe(t, e.connect(e.d1, e.keyA, e.secret, true), "plant/+")
	other := subscribe(t, e.connect(e.d3, e.keyB, e.secret, true), "plant/+")
	flowID := weir.NewID()
	if err := e.b.Publish(t.Context(), e.d1.ApplicationID, flowID, "plant/line1", []byte("on")); err != nil {
		t.Fatal(err)
	}
	expect(t, same, "plant/line1 on")
	none(t, other, "a device of another application")
	if got, want := h.all(), e.d1.ApplicationID+" plant/line1 on flow "+flowID; len(got) != 1 || got[0] != want {
		t.Errorf("heard %q, want [%q]", got, want)
	}
	for _, topic := range []string{"", "losant/" + e.d1.ID + "/command", "$SYS/x", "plant/#", "plant/+"} {
		if err := e.b.Publish(t.Context(), e.d1.ApplicationID, flowID, topic, nil); weir.ErrorTypeOf(err) != weir.Validation {
			t.Errorf("Publish on %q: err %v, want Validation", topic, err)
		}
	}
	if err := e.b.Publish(t.Context(), e.d1.ApplicationID, flowID, "big", make([]byte, 257<<10)); weir.ErrorTypeOf(err) != weir.PayloadTooLarge {
		t.Errorf("Publish of 257 KB: err %v, want PayloadTooLarge", err)
	}
	none(t, same, "a device after refused publications")
}

func TestKeyTopicRestrictions(t *testing.T) {
	e := newEnv(t)
	h := &heard{}
	e.b.Messages = h
	keys, _, err := e.db.FindApplicationKeys(t.Context(), weir.ApplicationKeyFilter{ApplicationID: e.d1.ApplicationID})
	if err != nil || len(keys) != 1 {
		t.Fatal(keys, err)
	}
	k := keys[0]
	k.FilterType, k.PubTopics, k.SubTopics = weir.TopicFilterWhitelist, []string{"plant/+/out"}, []string{"plant/+/in"}
	if err := e.db.UpdateApplicationKey(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	c := e.connect(e.d1, e.keyA, e.secret, true)
	in := subscribe(t, c, "plant/#") // allowed; each message is checked on delivery
	for _, topic := range []string{"plant/l1/in", "plant/l1/other", "plant/l1/out"} {
		if err := e.b.Publish(t.Context(), e.d1.ApplicationID, weir.NewID(), topic, []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, in, "plant/l1/in m")
	none(t, in, "a device whose key does not list the topic")
	n := len(h.all())
	// Not in pubTopics: dropped (at QoS 1, a refused publication
	// disconnects the device, as another device's topic does).
	c.Publish("plant/l1/in", 0, false, "x").WaitTimeout(wait)
	if err := e.publish(c, "plant/l1/out", "y"); err != nil {
		t.Fatal(err)
	}
	got := h.all()[n:]
	if len(got) != 1 || got[0] != e.d1.ApplicationID+" plant/l1/out y device "+e.d1.ID {
		t.Errorf("heard %q, want only plant/l1/out", got)
	}

	k.FilterType = weir.TopicFilterBlacklist
	if err := e.db.UpdateApplicationKey(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	c2 := e.connect(e.d2, e.keyA, e.secret, true) // the key is read on connecting
	in2 := subscribe(t, c2, "plant/#")
	for _, topic := range []string{"plant/l1/in", "plant/l1/other"} {
		if err := e.b.Publish(t.Context(), e.d1.ApplicationID, weir.NewID(), topic, []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, in2, "plant/l1/other m")
	none(t, in2, "a device whose key blacklists the topic")
}
