package mqtt_test

import (
	"crypto/rand"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir/mqtt"
)

// collector gathers the messages a Subscriber hands it.
type collector struct {
	mu     sync.Mutex
	pinged bool // a "ping" arrived (pings are not kept)
	got    []string
}

func (c *collector) handle(topic string, payload []byte) {
	if string(payload) == "ping" {
		c.mu.Lock()
		c.pinged = true
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, topic+" "+string(payload))
}

// await waits until a message ending in last arrived and returns all so far.
func (c *collector) await(t *testing.T, last string) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c.mu.Lock()
		got := slices.Clone(c.got)
		c.mu.Unlock()
		if len(got) > 0 && strings.HasSuffix(got[len(got)-1], last) {
			return got
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Fatalf("no message %q arrived; got %v", last, c.got)
	return nil
}

func TestSubscriber(t *testing.T) {
	root := "weir/test/" + rand.Text()[:10] // a topic no other test uses
	c := &collector{}
	s := &mqtt.Subscriber{URL: brokerURL(), ClientID: "weir-test-" + rand.Text()[:10], Handle: c.handle}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Overlapping filters: a message matching both is handled once.
	if err := s.SetFilters(t.Context(), []string{root + "/a/+", root + "/#", root + "/a/+"}); err != nil {
		t.Fatalf("SetFilters: %v", err)
	}
	p := &mqtt.Publisher{URL: brokerURL(), ClientID: "weir-test-" + rand.Text()[:10]}
	defer p.Close()
	publish := func(topic, msg string) {
		t.Helper()
		if err := p.Publish(t.Context(), topic, []byte(msg)); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	// The subscription may still be on its way when the connection is new:
	// publish until the first message comes through.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		publish(root+"/ping", "ping")
		c.mu.Lock()
		pinged := c.pinged
		c.mu.Unlock()
		if pinged || time.Now().After(deadline) {
			break
		}
	}

	publish(root+"/a/x", "both")
	publish(root+"/b", "hash only")
	if got := c.await(t, "hash only"); !slices.Equal(got, []string{root + "/a/x both", root + "/b hash only"}) {
		t.Errorf("got %v, want each message once", got)
	}
	if f := s.Filters(); !slices.Equal(f, []string{root + "/#", root + "/a/+"}) {
		t.Errorf("Filters() = %v", f)
	}

	// Dropping "#" leaves only a/+: b is no longer received.
	if err := s.SetFilters(t.Context(), []string{root + "/a/+"}); err != nil {
		t.Fatalf("SetFilters: %v", err)
	}
	publish(root+"/b", "dropped")
	publish(root+"/a/y", "kept")
	got := c.await(t, "kept")
	if slices.Contains(got, root+"/b dropped") {
		t.Errorf("got %v after unsubscribing %s/#", got, root)
	}
}

func TestSubscriber_NeedsURLAndHandler(t *testing.T) {
	if err := (&mqtt.Subscriber{Handle: func(string, []byte) {}}).Open(); err == nil {
		t.Error("Open without a URL succeeded")
	}
	if err := (&mqtt.Subscriber{URL: brokerURL()}).Open(); err == nil {
		t.Error("Open without a handler succeeded")
	}
}

// TestSubscriber_Share runs two subscribers in one shared group: each
// message reaches one of them.
func TestSubscriber_Share(t *testing.T) {
	root := "weir/test/" + rand.Text()[:10]
	group := "weir-test-" + rand.Text()[:10]
	var cs [2]*collector
	for i := range cs {
		cs[i] = &collector{}
		s := &mqtt.Subscriber{URL: brokerURL(), ClientID: "weir-test-" + rand.Text()[:10], Handle: cs[i].handle, Share: group}
		if err := s.Open(); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.SetFilters(t.Context(), []string{root + "/#"}); err != nil {
			t.Fatalf("SetFilters: %v", err)
		}
	}
	p := &mqtt.Publisher{URL: brokerURL(), ClientID: "weir-test-" + rand.Text()[:10]}
	defer p.Close()
	pinged := func() bool {
		for _, c := range cs {
			c.mu.Lock()
			ok := c.pinged
			c.mu.Unlock()
			if !ok {
				return false
			}
		}
		return true
	}
	// Until both subscriptions are in place, pings may reach either.
	for deadline := time.Now().Add(10 * time.Second); !pinged() && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := p.Publish(t.Context(), root+"/ping", []byte("ping")); err != nil {
			t.Fatal(err)
		}
	}
	if !pinged() {
		t.Fatal("the two shared subscribers never both received a ping")
	}
	const n = 20
	for i := range n {
		if err := p.Publish(t.Context(), root+"/m", []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	var total int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		total = 0
		for _, c := range cs {
			c.mu.Lock()
			total += len(c.got)
			c.mu.Unlock()
		}
		if total >= n {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	total = 0
	seen := map[string]int{}
	for _, c := range cs {
		c.mu.Lock()
		for _, m := range c.got {
			seen[m]++
			total++
		}
		c.mu.Unlock()
	}
	if total != n || len(seen) != n {
		t.Errorf("the group handled %d messages (%d distinct), want each of %d once", total, len(seen), n)
	}
}

// TestSubscriber_CloseWhileUnreachable closes a subscriber still trying to
// reach a broker that is down: its goroutines end.
func TestSubscriber_CloseWhileUnreachable(t *testing.T) {
	before := runtime.NumGoroutine()
	s := &mqtt.Subscriber{URL: "tcp://127.0.0.1:1", ClientID: "weir-test-" + rand.Text()[:10], Handle: func(string, []byte) {}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFilters(t.Context(), []string{"a/#"}); err != nil {
		t.Errorf("SetFilters while unreachable = %v, want nil (recorded for later)", err)
	}
	time.Sleep(100 * time.Millisecond) // let it try
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before Open", runtime.NumGoroutine(), before)
		}
	}
}
