package nodes

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestGate checks that a suspect waits for the shared executions in
// progress, keeps new ones out while it waits and runs, and that every wait
// ends with its context.
func TestGate(t *testing.T) {
	g := newGate()
	if err := g.enter(t.Context()); err != nil {
		t.Fatal(err)
	}
	aloneIn := make(chan error, 1)
	go func() { aloneIn <- g.enterAlone(t.Context()) }()
	// While the suspect waits, a new shared execution waits too.
	waitUntil(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.waiting == 1 })
	short, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := g.enter(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("enter beside a waiting suspect = %v, want the context's error", err)
	}
	select {
	case err := <-aloneIn:
		t.Fatalf("enterAlone returned %v while a shared execution was in progress", err)
	default:
	}
	g.leave()
	if err := <-aloneIn; err != nil {
		t.Fatal(err)
	}
	sharedIn := make(chan error, 1)
	go func() { sharedIn <- g.enter(t.Context()) }()
	select {
	case err := <-sharedIn:
		t.Fatalf("enter returned %v while a suspect ran alone", err)
	case <-time.After(20 * time.Millisecond):
	}
	g.leaveAlone()
	if err := <-sharedIn; err != nil {
		t.Fatal(err)
	}
	// A suspect whose context ends stops waiting and lets others in.
	short2, cancel2 := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel2()
	if err := g.enterAlone(short2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("enterAlone beside a shared execution = %v, want the context's error", err)
	}
	g.leave()
	if err := g.enter(t.Context()); err != nil {
		t.Fatal(err)
	}
	g.leave()
}

// waitUntil polls cond until it holds or a deadline passes.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
