package engine_test

import (
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

func TestReplyHub_FirstReplyWins(t *testing.T) {
	var h engine.ReplyHub
	ch, cancel, err := h.Register("wh.1")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if err := h.Deliver("wh.1", engine.Reply{StatusCode: 201, Body: []byte("first")}); err != nil {
		t.Fatalf("first Deliver = %v, want nil", err)
	}
	if err := h.Deliver("wh.1", engine.Reply{StatusCode: 500}); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("second Deliver = %v, want NotFound", err)
	}
	got := <-ch
	if got.StatusCode != 201 || string(got.Body) != "first" {
		t.Fatalf("reply = %+v, want the first one", got)
	}
	if n := h.Waiting(); n != 0 {
		t.Fatalf("Waiting() = %d after the reply, want 0", n)
	}
}

func TestReplyHub_Errors(t *testing.T) {
	t.Run("ErrNoWaiter", func(t *testing.T) {
		var h engine.ReplyHub
		if err := h.Deliver("nobody", engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
			t.Fatalf("Deliver = %v, want NotFound", err)
		}
	})
	t.Run("ErrCancelled", func(t *testing.T) {
		var h engine.ReplyHub
		_, cancel, _ := h.Register("x")
		cancel()
		cancel() // harmless twice
		if err := h.Deliver("x", engine.Reply{}); weir.ErrorTypeOf(err) != weir.NotFound {
			t.Fatalf("Deliver after cancel = %v, want NotFound", err)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		var h engine.ReplyHub
		_, cancel, _ := h.Register("x")
		defer cancel()
		if _, _, err := h.Register("x"); weir.ErrorTypeOf(err) != weir.Validation {
			t.Fatalf("second Register = %v, want Validation", err)
		}
	})
	t.Run("ErrFull", func(t *testing.T) {
		h := engine.ReplyHub{Max: 2}
		for _, id := range []string{"a", "b"} {
			if _, _, err := h.Register(id); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := h.Register("c"); weir.ErrorTypeOf(err) != weir.Unavailable {
			t.Fatalf("Register over Max = %v, want Unavailable", err)
		}
		_ = h.Deliver("a", engine.Reply{})
		if _, _, err := h.Register("c"); err != nil {
			t.Fatalf("Register after a reply freed a slot = %v", err)
		}
	})
}

// TestReplyHub_Concurrent races many deliverers on one id: exactly one wins.
func TestReplyHub_Concurrent(t *testing.T) {
	var h engine.ReplyHub
	ch, cancel, _ := h.Register("id")
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if h.Deliver("id", engine.Reply{StatusCode: 200 + i}) == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d deliveries won, want 1", wins)
	}
	<-ch
}

// memRelay is a ReplyRelay between the hubs of one test: Listen registers a
// deliver func by reply id, Send calls it.
type memRelay struct {
	mu        sync.Mutex
	listeners map[string]func([]byte) error
	sent      int
}

func (r *memRelay) Listen(id string, deliver func([]byte) error) (func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listeners == nil {
		r.listeners = map[string]func([]byte) error{}
	}
	r.listeners[id] = deliver
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.listeners, id)
	}, nil
}

func (r *memRelay) Send(id string, data []byte) error {
	r.mu.Lock()
	deliver, ok := r.listeners[id]
	r.sent++
	r.mu.Unlock()
	if !ok {
		return weir.Errorf(weir.NotFound, "no listener")
	}
	return deliver(data)
}

func TestReplyHub_Relay(t *testing.T) {
	relay := &memRelay{}
	a, b := &engine.ReplyHub{Relay: relay}, &engine.ReplyHub{Relay: relay}
	ch, cancel, err := a.Register("wh.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Deliver("wh.1", engine.Reply{StatusCode: 201, Headers: map[string]string{"X": "y"}, Body: []byte("from b")}); err != nil {
		t.Fatalf("Deliver on b = %v, want nil", err)
	}
	if err := b.Deliver("wh.1", engine.Reply{StatusCode: 500}); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("late Deliver on b = %v, want NotFound", err)
	}
	if err := a.Deliver("wh.1", engine.Reply{StatusCode: 500}); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("late Deliver on a = %v, want NotFound", err)
	}
	got := <-ch
	if got.StatusCode != 201 || string(got.Body) != "from b" || got.Headers["X"] != "y" {
		t.Fatalf("reply = %+v, want b's", got)
	}
	cancel()
	if n := len(relay.listeners); n != 0 {
		t.Errorf("%d listeners left after cancel, want 0", n)
	}
	t.Run("LocalFirst", func(t *testing.T) {
		ch, cancel, err := a.Register("wh.2")
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		before := relay.sent
		if err := a.Deliver("wh.2", engine.Reply{StatusCode: 202}); err != nil {
			t.Fatal(err)
		}
		if (<-ch).StatusCode != 202 || relay.sent != before {
			t.Errorf("a reply to a local waiter went through the relay (%d sends)", relay.sent-before)
		}
	})
}
