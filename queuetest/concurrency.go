package queuetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testConcurrency(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("ClaimersNeverShareOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		claimers := []weir.RunQueue{q, q, q, q}
		if tg.Shared {
			for i := 1; i < len(claimers); i += 2 {
				claimers[i] = tg.Open(t)
			}
		}
		const runs = 120
		for i := range runs {
			mustEnqueue(t, tg, claimers[i%len(claimers)], i)
		}
		var (
			mu        sync.Mutex
			held      = map[string]bool{}
			completed = map[string]int{}
			wg        sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		errs := make(chan error, len(claimers))
		for _, c := range claimers {
			wg.Go(func() {
				for ctx.Err() == nil {
					got, err := c.ClaimRuns(ctx, 3)
					if err != nil {
						if ctx.Err() == nil {
							errs <- err
						}
						return
					}
					if err := hold(&mu, held, got); err != nil {
						errs <- err
						cancel()
						return
					}
					time.Sleep(time.Millisecond)
					mu.Lock()
					for _, r := range got {
						delete(held, r.ID)
					}
					mu.Unlock()
					for _, r := range got {
						if err := c.CompleteRun(context.Background(), r, entryFor(r)); err != nil {
							errs <- err
						}
						mu.Lock()
						completed[r.ID]++
						if len(completed) == runs {
							cancel()
						}
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(completed) != runs {
			t.Fatalf("%d of %d runs completed within 20s", len(completed), runs)
		}
		for id, n := range completed {
			if n != 1 {
				t.Fatalf("run %s claimed and completed %d times, want once", id, n)
			}
		}
	})
}

// hold marks runs as held, failing if another claimer holds one already.
func hold(mu *sync.Mutex, held map[string]bool, runs []*weir.Run) error {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range runs {
		if held[r.ID] {
			return fmt.Errorf("run %s held by two claimers at once", r.ID)
		}
		held[r.ID] = true
	}
	return nil
}
