package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// NodeStateStore is a store that also keeps node state.
type NodeStateStore interface {
	Store
	weir.NodeStateService
}

// RunNodeState runs the node state suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
func RunNodeState(t *testing.T, open func(t *testing.T) NodeStateStore) {
	t.Run("SwapCreateUpdateDeleteOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		swap := func(old, next string, want bool) {
			t.Helper()
			var o, n json.RawMessage
			if old != "" {
				o = json.RawMessage(old)
			}
			if next != "" {
				n = json.RawMessage(next)
			}
			got, err := s.SwapNodeState(t.Context(), f.ID, "latch/x", o, n)
			if err != nil || got != want {
				t.Fatalf("SwapNodeState(%s -> %s) = %v, %v; want %v", old, next, got, err, want)
			}
		}
		swap("", "", true)            // absent, and stays absent
		swap("", `true`, true)        // create
		swap("", `false`, false)      // create again: it exists
		swap(`false`, `1`, false)     // stale old
		swap(`true`, `{"a":1}`, true) // update
		if v, ok, err := s.NodeState(t.Context(), f.ID, "latch/x"); err != nil || !ok || string(v) != `{"a":1}` {
			t.Fatalf("NodeState = %s, %v, %v; want {\"a\":1}", v, ok, err)
		}
		swap(`{"a":1}`, "", true) // delete
		if _, ok, _ := s.NodeState(t.Context(), f.ID, "latch/x"); ok {
			t.Fatal("state still there after delete")
		}
		if entries, _ := s.StorageEntries(t.Context(), f.ID); len(entries) != 0 {
			t.Errorf("node state leaked into flow storage: %v", entries)
		}
	})

	t.Run("EffectSwapOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		state := func(ctx context.Context, want string) {
			t.Helper()
			v, ok, err := s.NodeState(ctx, f.ID, "k")
			if err != nil || ok != (want != "") || string(v) != want {
				t.Fatalf("NodeState = %s, %v, %v; want %q", v, ok, err, want)
			}
		}
		swap := func(ctx context.Context, old, next string, want bool) {
			t.Helper()
			var o, n json.RawMessage
			if old != "" {
				o = json.RawMessage(old)
			}
			if next != "" {
				n = json.RawMessage(next)
			}
			if got, err := s.SwapNodeState(ctx, f.ID, "k", o, n); err != nil || got != want {
				t.Fatalf("SwapNodeState(%s -> %s) = %v, %v; want %v", old, next, got, err, want)
			}
		}
		plain := t.Context()
		e0, e1, e2 := withEffect(t, run, "0"), withEffect(t, run, "1"), withEffect(t, run, "2")
		state(e0, "")
		swap(e0, "", "1", true)
		state(plain, "1")
		state(e0, "") // what the recorded swap replaced
		swap(plain, "1", "2", true)
		swap(e0, "", "1", true) // a repeat: true, and nothing swapped
		state(plain, "2")

		state(e1, "2")
		swap(e1, "9", "3", false) // a failed swap records nothing
		state(e1, "2")
		swap(e1, "2", "3", true)
		state(e1, "2")
		state(plain, "3")
		swap(e1, "2", "3", true)
		state(plain, "3")

		swap(e2, "", "", false) // the state exists: no swap, no record
		swap(plain, "3", "", true)
		swap(e2, "", "", true)
		state(e2, "")
	})

	t.Run("SwapMissingFlowNotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.SwapNodeState(t.Context(), weir.NewID(), "k", nil, json.RawMessage(`1`))
		if weir.ErrorTypeOf(err) != weir.NotFound {
			t.Errorf("SwapNodeState on a missing flow = %v, want NotFound", err)
		}
	})

	t.Run("DeletedWithFlowOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		if _, err := s.SwapNodeState(t.Context(), f.ID, "k", nil, json.RawMessage(`1`)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.NodeState(t.Context(), f.ID, "k"); ok {
			t.Error("node state survived its flow")
		}
	})

	t.Run("ConcurrentSwapsOneWinnerOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.SwapNodeState(t.Context(), f.ID, "once", nil, json.RawMessage(`true`))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d concurrent creations won, want exactly 1", wins)
		}
	})
}
