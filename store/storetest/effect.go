package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// withEffect returns the test's context naming effect step of run runID.
func withEffect(t *testing.T, runID, step string) context.Context {
	return weir.WithEffect(t.Context(), weir.Effect{RunID: runID, Step: step})
}

// checkValue fails t unless key holds want (compared compacted).
func checkValue(t *testing.T, s Store, flowID, key, want string) {
	t.Helper()
	got, ok, err := s.StorageEntry(t.Context(), flowID, key)
	if err != nil || !ok || compact(got) != compact([]byte(want)) {
		t.Fatalf("StorageEntry(%q) = %s, %v, %v; want %s", key, got, ok, err, want)
	}
}

func testEffects(t *testing.T, open func(t *testing.T) Store) {
	t.Run("IncrRepeatReturnsFirstResultOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		for i := range 3 {
			n, err := s.IncrStorageEntry(withEffect(t, run, "a"), f.ID, "n", 5)
			if err != nil || n != 5 {
				t.Fatalf("IncrStorageEntry #%d of effect a = %v, %v; want 5", i+1, n, err)
			}
		}
		if n, err := s.IncrStorageEntry(withEffect(t, run, "b"), f.ID, "n", 1); err != nil || n != 6 {
			t.Fatalf("IncrStorageEntry of effect b = %v, %v; want 6", n, err)
		}
		if n, err := s.IncrStorageEntry(withEffect(t, weir.NewID(), "a"), f.ID, "n", 1); err != nil || n != 7 {
			t.Fatalf("IncrStorageEntry of effect a of another run = %v, %v; want 7", n, err)
		}
		if n := mustIncr(t, s, f.ID, "n", 1); n != 8 {
			t.Fatalf("IncrStorageEntry without effect = %v, want 8", n)
		}
		checkValue(t, s, f.ID, "n", `8`)
	})

	t.Run("SetDeleteClearRepeatChangesNothingOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		set := func(step, value string) {
			t.Helper()
			if err := s.SetStorageEntry(withEffect(t, run, step), f.ID, "k", json.RawMessage(value)); err != nil {
				t.Fatalf("SetStorageEntry(%s) of effect %s: %v", value, step, err)
			}
		}
		set("set", `"first"`)
		set("set", `"second"`)
		checkValue(t, s, f.ID, "k", `"first"`)

		for i := range 2 {
			prev, err := s.DeleteStorageEntry(withEffect(t, run, "delete"), f.ID, "k")
			if err != nil || compact(prev) != `"first"` {
				t.Fatalf("DeleteStorageEntry #%d of effect delete = %s, %v; want \"first\"", i+1, prev, err)
			}
			set(fmt.Sprint("again", i), `"again"`) // the repeat must not delete this
		}
		checkValue(t, s, f.ID, "k", `"again"`)

		prev, err := s.DeleteStorageEntry(withEffect(t, run, "delete absent"), f.ID, "absent")
		if err != nil || prev != nil {
			t.Fatalf("DeleteStorageEntry of an absent key = %s, %v; want nil", prev, err)
		}
		mustSet(t, s, f.ID, "absent", `1`)
		prev, err = s.DeleteStorageEntry(withEffect(t, run, "delete absent"), f.ID, "absent")
		if err != nil || prev != nil {
			t.Fatalf("repeated DeleteStorageEntry of a key absent the first time = %s, %v; want nil", prev, err)
		}
		checkValue(t, s, f.ID, "absent", `1`)

		if err := s.ClearStorageEntries(withEffect(t, run, "clear"), f.ID); err != nil {
			t.Fatal(err)
		}
		checkStorageLen(t, s, f.ID, 0)
		mustSet(t, s, f.ID, "kept", `true`)
		if err := s.ClearStorageEntries(withEffect(t, run, "clear"), f.ID); err != nil {
			t.Fatal(err)
		}
		checkValue(t, s, f.ID, "kept", `true`)
	})

	t.Run("ConcurrentIncrAppliedOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		const n = 16
		var wg sync.WaitGroup
		shared := make([]float64, n)
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() { // n calls of one effect
				defer wg.Done()
				v, err := s.IncrStorageEntry(withEffect(t, run, "same"), f.ID, "hits", 1)
				if err != nil {
					errs <- err
				}
				shared[i] = v
			}()
			go func() { // and n distinct effects
				defer wg.Done()
				if _, err := s.IncrStorageEntry(withEffect(t, run, fmt.Sprint("own", i)), f.ID, "hits", 1); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		checkValue(t, s, f.ID, "hits", fmt.Sprint(n+1))
		again, err := s.IncrStorageEntry(withEffect(t, run, "same"), f.ID, "hits", 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range shared {
			if v != again || v < 1 || v > n+1 {
				t.Fatalf("call %d of the shared effect returned %v, a repeat %v; want one first result in 1..%d", i, v, again, n+1)
			}
		}
		checkValue(t, s, f.ID, "hits", fmt.Sprint(n+1))
	})

	t.Run("FailedCallRecordsNothingOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		mustSet(t, s, f.ID, "n", `"text"`)
		_, err := s.IncrStorageEntry(withEffect(t, run, "incr"), f.ID, "n", 1)
		checkError(t, err, weir.Validation, "")
		mustSet(t, s, f.ID, "n", `41`)
		if v, err := s.IncrStorageEntry(withEffect(t, run, "incr"), f.ID, "n", 1); err != nil || v != 42 {
			t.Fatalf("IncrStorageEntry after a failed call of the same effect = %v, %v; want 42", v, err)
		}
		err = s.SetStorageEntry(withEffect(t, run, "set"), weir.NewID(), "k", json.RawMessage(`1`))
		checkError(t, err, weir.NotFound, "")
	})

	t.Run("OtherCallUnderRecordedEffectAppliesOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		run := weir.NewID()
		if err := s.SetStorageEntry(withEffect(t, run, "0"), f.ID, "k", json.RawMessage(`"v"`)); err != nil {
			t.Fatal(err)
		}
		for want := range []float64{1, 2} {
			if v, err := s.IncrStorageEntry(withEffect(t, run, "0"), f.ID, "n", 1); err != nil || v != float64(want+1) {
				t.Fatalf("IncrStorageEntry under the effect of a set = %v, %v; want %v", v, err, want+1)
			}
		}
		if err := s.SetStorageEntry(withEffect(t, run, "0"), f.ID, "k", json.RawMessage(`"w"`)); err != nil {
			t.Fatal(err)
		}
		checkValue(t, s, f.ID, "k", `"v"`)
	})

	t.Run("CompleteRunForgetsEffectsOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		r := mustEnqueue(t, s, f, `{}`)
		if v, err := s.IncrStorageEntry(withEffect(t, r.ID, "0"), f.ID, "n", 1); err != nil || v != 1 {
			t.Fatalf("IncrStorageEntry = %v, %v; want 1", v, err)
		}
		mustLogRun(t, s, f, r)
		// The records are gone: the same effect applies again.
		if v, err := s.IncrStorageEntry(withEffect(t, r.ID, "0"), f.ID, "n", 1); err != nil || v != 2 {
			t.Fatalf("IncrStorageEntry after CompleteRun = %v, %v; want 2", v, err)
		}
	})
}

// mustLogRun completes r with a log entry of one completed path.
func mustLogRun(t *testing.T, s Store, f *weir.Flow, r *weir.Run) {
	t.Helper()
	e := &weir.LogEntry{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
		FlowVersionID: weir.DevelopVersion, Time: r.Time, RunCount: 1, PathsCompleted: 1}
	if err := s.CompleteRun(t.Context(), r, e); err != nil {
		t.Fatalf("CompleteRun: %v", err)
	}
}
