package engine_test

import (
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// TestReplyHubMax checks the cap on requests waiting for a reply: past Max,
// Register answers Unavailable and registers nothing; a request that stops
// waiting frees its place.
func TestReplyHubMax(t *testing.T) {
	h := &engine.ReplyHub{Max: 2}
	_, cancelA, err := h.Register("a")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Register("b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Register("c"); weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("a third waiter past Max 2 = %v, want Unavailable", err)
	}
	if n := h.Waiting(); n != 2 {
		t.Errorf("Waiting() = %d after a refusal, want 2", n)
	}
	cancelA()
	if _, _, err := h.Register("c"); err != nil {
		t.Errorf("a waiter after one stopped waiting: %v", err)
	}
	if engine.DefaultMaxReplyWaiters != 10000 {
		t.Errorf("DefaultMaxReplyWaiters = %d, the README says 10,000", engine.DefaultMaxReplyWaiters)
	}
}
