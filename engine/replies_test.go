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
