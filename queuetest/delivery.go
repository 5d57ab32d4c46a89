package queuetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testDelivery(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("EnqueueClaimCompleteOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		r := mustEnqueue(t, tg, q, 1)
		runs := mustClaim(t, q, 10)
		if len(runs) != 1 {
			t.Fatalf("claimed %d runs, want 1", len(runs))
		}
		checkRun(t, runs[0], r, 0)
		mustComplete(t, q, runs[0])
		// A completed run is gone: not offered again when its lease would
		// have run out.
		checkEmpty(t, q, tg.Redelivery+time.Second)
	})

	t.Run("ExactlyOnceOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		claimers := []weir.RunQueue{q, q}
		if tg.Shared {
			claimers[1] = tg.Open(t)
		}
		const producers, each = 4, 40
		var (
			mu       sync.Mutex
			enqueued = map[string]bool{}
			claimed  = map[string]int{}
			wg       sync.WaitGroup
		)
		errs := make(chan error, producers+len(claimers))
		for p := range producers {
			wg.Go(func() {
				for i := range each {
					r := tg.NewRun(t)
					r.Data = []byte(`{"n": 1}`)
					if err := claimers[(p+i)%len(claimers)].EnqueueRun(t.Context(), r); err != nil {
						errs <- err
						return
					}
					mu.Lock()
					enqueued[r.ID] = true
					mu.Unlock()
				}
			})
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		var total sync.WaitGroup
		done := make(chan struct{})
		for _, c := range claimers {
			total.Go(func() {
				for {
					runs, err := c.ClaimRuns(ctx, 8)
					if err != nil {
						select {
						case <-done:
						default:
							errs <- err
						}
						return
					}
					for _, r := range runs {
						if r.Attempt != 0 {
							errs <- errors.New("a run was delivered with Attempt > 0 in normal operation")
						}
						if err := c.CompleteRun(t.Context(), r, entryFor(r)); err != nil {
							errs <- err
						}
						mu.Lock()
						claimed[r.ID]++
						n := len(claimed)
						mu.Unlock()
						if n == producers*each {
							close(done)
							cancel()
						}
					}
				}
			})
		}
		wg.Wait()
		total.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(enqueued) != producers*each {
			t.Fatalf("%d distinct run IDs enqueued, want %d", len(enqueued), producers*each)
		}
		for id, n := range claimed {
			if !enqueued[id] || n != 1 {
				t.Fatalf("run %s claimed %d times (enqueued: %v), want once", id, n, enqueued[id])
			}
		}
		checkEmpty(t, q, 200*time.Millisecond)
	})

	t.Run("DuplicateIDOnceOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		r := mustEnqueue(t, tg, q, 1)
		again := *r
		if err := q.EnqueueRun(t.Context(), &again); err != nil && weir.ErrorTypeOf(err) != weir.Validation {
			t.Fatalf("EnqueueRun of a waiting run's ID = %v, want nil or Validation", err)
		}
		runs := mustClaim(t, q, 10)
		if len(runs) != 1 {
			t.Fatalf("claimed %d runs after enqueueing one ID twice, want 1", len(runs))
		}
		checkRun(t, runs[0], r, 0)
		checkEmpty(t, q, 200*time.Millisecond)
		mustComplete(t, q, runs[0])
	})

	t.Run("ClaimMaxOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		want := map[string]bool{}
		for i := range 5 {
			want[mustEnqueue(t, tg, q, i).ID] = true
		}
		got := map[string]bool{}
		for _, n := range []int{2, 1, 1, 2, 1, 1, 1, 1} {
			if len(got) == len(want) {
				break
			}
			for _, r := range mustClaim(t, q, n) { // fails on more than n runs
				if got[r.ID] || !want[r.ID] {
					t.Fatalf("claimed run %s twice or never enqueued", r.ID)
				}
				got[r.ID] = true
			}
		}
		if len(got) != len(want) {
			t.Fatalf("claimed %d of %d runs", len(got), len(want))
		}
		checkEmpty(t, q, 200*time.Millisecond)
	})

	t.Run("ClaimBlocksUntilEnqueueOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		type result struct {
			runs []*weir.Run
			err  error
		}
		done := make(chan result, 1)
		go func() {
			runs, err := claim(t, q, 10, 15*time.Second)
			done <- result{runs, err}
		}()
		time.Sleep(100 * time.Millisecond)
		select {
		case res := <-done:
			t.Fatalf("ClaimRuns on an empty queue returned %d runs, %v", len(res.runs), res.err)
		default:
		}
		r := mustEnqueue(t, tg, q, 1)
		select {
		case res := <-done:
			if res.err != nil {
				t.Fatal(res.err)
			}
			if len(res.runs) != 1 {
				t.Fatalf("ClaimRuns = %d runs, want 1", len(res.runs))
			}
			checkRun(t, res.runs[0], r, 0)
		case <-time.After(10 * time.Second):
			t.Fatal("ClaimRuns still blocked 10s after EnqueueRun")
		}
	})

	t.Run("ClaimCanceledOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			runs, err := q.ClaimRuns(ctx, 10)
			if len(runs) != 0 {
				err = errors.New("got runs from an empty queue")
			}
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ClaimRuns after cancel = %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ClaimRuns still blocked 5s after its context was canceled")
		}
		// The canceled claim took nothing: a run enqueued now is claimable.
		r := mustEnqueue(t, tg, q, 1)
		runs := mustClaim(t, q, 1)
		checkRun(t, runs[0], r, 0)
	})
}
