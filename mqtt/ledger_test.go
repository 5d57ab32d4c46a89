package mqtt_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/weirhq/weir/mqtt"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLedgerTakeOnceInOrder(t *testing.T) {
	l := &mqtt.Ledger{}
	l.Record("a/b", []byte("x"), "f1")
	l.Record("a/b", []byte("x"), "f2")
	l.Record("a/b", []byte("y"), "f3")
	for _, want := range []string{"f1", "f2"} {
		if got, ok := l.Take("a/b", []byte("x")); !ok || got != want {
			t.Errorf("Take = %q, %v; want %q", got, ok, want)
		}
	}
	if got, ok := l.Take("a/b", []byte("x")); ok {
		t.Errorf("a third Take of a message published twice = %q, want none", got)
	}
	if got, ok := l.Take("a/c", []byte("y")); ok {
		t.Errorf("Take on another topic = %q, want none", got)
	}
	if got, ok := l.Take("a/b", []byte("y")); !ok || got != "f3" {
		t.Errorf("Take = %q, %v; want f3", got, ok)
	}
	if n := l.Len(); n != 0 {
		t.Errorf("Len = %d after taking everything, want 0", n)
	}
}

func TestLedgerForget(t *testing.T) {
	l := &mqtt.Ledger{}
	l.Record("t", []byte("m"), "f1")
	l.Record("t", []byte("m"), "f2")
	l.Forget("t", []byte("m"), "f1")
	if got, ok := l.Take("t", []byte("m")); !ok || got != "f2" {
		t.Errorf("Take after forgetting f1 = %q, %v; want f2", got, ok)
	}
	if _, ok := l.Take("t", []byte("m")); ok {
		t.Error("Take found a forgotten record")
	}
}

func TestLedgerExpires(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := &mqtt.Ledger{TTL: time.Second, Now: c.now}
	l.Record("t", []byte("old"), "f1")
	c.t = c.t.Add(600 * time.Millisecond)
	l.Record("t", []byte("new"), "f2")
	c.t = c.t.Add(600 * time.Millisecond) // old is 1.2 s old, new 0.6 s
	if _, ok := l.Take("t", []byte("old")); ok {
		t.Error("Take found a record older than TTL")
	}
	if got, ok := l.Take("t", []byte("new")); !ok || got != "f2" {
		t.Errorf("Take of a fresh record = %q, %v; want f2", got, ok)
	}
}

func TestLedgerMaxDropsOldest(t *testing.T) {
	l := &mqtt.Ledger{Max: 3}
	for _, m := range []string{"a", "b", "c", "d"} {
		l.Record("t", []byte(m), "f-"+m)
	}
	if n := l.Len(); n != 3 {
		t.Errorf("Len = %d, want Max 3", n)
	}
	if _, ok := l.Take("t", []byte("a")); ok {
		t.Error("the oldest record survived past Max")
	}
	for _, m := range []string{"b", "c", "d"} {
		if got, ok := l.Take("t", []byte(m)); !ok || got != "f-"+m {
			t.Errorf("Take(%s) = %q, %v; want f-%s", m, got, ok, m)
		}
	}
}

// A busy ledger whose records are all taken holds nothing and does not
// grow.
func TestLedgerTakenLeavesNothing(t *testing.T) {
	l := &mqtt.Ledger{Max: 10}
	for i := range 1000 {
		l.Record("t", []byte{byte(i)}, "f")
		if _, ok := l.Take("t", []byte{byte(i)}); !ok {
			t.Fatalf("record %d not found", i)
		}
	}
	if n := l.Len(); n != 0 {
		t.Errorf("Len = %d, want 0", n)
	}
}

func TestPublishFromRecordsOrigin(t *testing.T) {
	id := rand.Text()[:10]
	topic := "weir/test/ledger/" + id // a topic no other test uses
	got := make(chan string, 1)
	l := &mqtt.Ledger{}
	s := &mqtt.Subscriber{URL: brokerURL(), ClientID: "weir-test-sub-" + id, Handle: func(tp string, payload []byte) {
		origin, ok := l.Take(tp, payload)
		if !ok {
			origin = "(none)"
		}
		select {
		case got <- origin:
		default: // the test has its answer
		}
	}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := &mqtt.Publisher{URL: brokerURL(), ClientID: "weir-test-pub-" + id, Ledger: l}
	defer p.Close()
	deadline := time.Now().Add(10 * time.Second)
	for s.SetFilters(t.Context(), []string{topic}) != nil || len(s.Filters()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("could not subscribe")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The subscription may take a moment to apply: publish until a message
	// comes back.
	for {
		if err := p.PublishFrom(t.Context(), "flow-1", topic, []byte("hello")); err != nil {
			t.Fatalf("PublishFrom: %v", err)
		}
		select {
		case origin := <-got:
			if origin != "flow-1" {
				t.Fatalf("origin of the message = %q, want flow-1", origin)
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no message came back from the broker")
		}
	}
}
