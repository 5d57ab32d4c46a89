package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testRunQueue(t *testing.T, open func(t *testing.T) Store) {
	t.Run("EnqueueClaimCompleteOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		r := &weir.Run{
			ApplicationID: f.ApplicationID,
			FlowID:        f.ID,
			FlowVersion:   weir.DevelopVersion,
			TriggerType:   "webhook",
			TriggerKey:    "hook-key",
			TriggerID:     weir.NewID(),
			RelayType:     "user",
			RelayID:       weir.NewID(),
			Time:          ms(time.Now()),
			Data:          json.RawMessage(`{"body": {"temp": 21.5}, "query": {}}`),
		}
		if err := s.EnqueueRun(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		if r.ID == "" {
			t.Fatal("EnqueueRun left ID empty")
		}
		runs, err := claim(t, s, 10, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "claimed runs", runs, []*weir.Run{r})

		ok := &weir.LogEntry{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion,
			FlowVersionID: weir.DevelopVersion, Time: r.Time, RunCount: 1, PathsCompleted: 2, WallTime: 3}
		if err := s.CompleteRun(t.Context(), runs[0], ok); err != nil {
			t.Fatal(err)
		}
		checkLogLen(t, s, f.ID, 1)
		checkStats(t, s, f, weir.FlowStats{RunCount: 1, ByVersion: map[string]weir.VersionStats{
			weir.DevelopVersion: {RunCount: 1},
		}})
		checkQueueEmpty(t, s)

		r2 := mustEnqueue(t, s, f, `{}`)
		failed := &weir.LogEntry{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: "v1",
			FlowVersionID: weir.NewID(), Time: r.Time, RunCount: 1, PathsFailed: 1}
		if err := s.CompleteRun(t.Context(), r2, failed); err != nil {
			t.Fatal(err)
		}
		checkLogLen(t, s, f.ID, 2)
		checkStats(t, s, f, weir.FlowStats{RunCount: 2, ErrorCount: 1, ByVersion: map[string]weir.VersionStats{
			weir.DevelopVersion: {RunCount: 1},
			"v1":                {RunCount: 1, ErrorCount: 1},
		}})
	})

	t.Run("EnqueueFlowNotFound", func(t *testing.T) {
		s := open(t)
		err := s.EnqueueRun(t.Context(), &weir.Run{FlowID: weir.NewID(), Data: json.RawMessage(`{}`)})
		checkError(t, err, weir.NotFound, "Flow was not found")
	})

	t.Run("ClaimBlocksUntilEnqueueOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		type result struct {
			runs []*weir.Run
			err  error
		}
		done := make(chan result, 1)
		go func() {
			runs, err := s.ClaimRuns(t.Context(), 10)
			done <- result{runs, err}
		}()
		select {
		case res := <-done:
			t.Fatalf("ClaimRuns on an empty queue returned %d runs, %v", len(res.runs), res.err)
		default:
		}
		r := mustEnqueue(t, s, f, `{"n": 1}`)
		select {
		case res := <-done:
			if res.err != nil {
				t.Fatal(res.err)
			}
			if len(res.runs) != 1 || res.runs[0].ID != r.ID {
				t.Fatalf("ClaimRuns = %d runs, want run %s", len(res.runs), r.ID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ClaimRuns still blocked 5s after EnqueueRun")
		}
	})

	t.Run("ClaimCanceledOK", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			runs, err := s.ClaimRuns(ctx, 10)
			if len(runs) != 0 {
				err = errors.New("got runs from an empty queue")
			}
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ClaimRuns after cancel = %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ClaimRuns still blocked 5s after its context was canceled")
		}
	})

	t.Run("ClaimLeasesOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		for range 5 {
			mustEnqueue(t, s, f, `{}`)
		}
		runs, err := claim(t, s, 2, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) < 1 || len(runs) > 2 {
			t.Fatalf("ClaimRuns(2) = %d runs, want 1 or 2", len(runs))
		}
		rest := claimAll(t, s, 5-len(runs))
		for _, r := range runs {
			if rest[r.ID] != nil {
				t.Fatalf("run %s claimed twice while leased", r.ID)
			}
		}
		checkQueueEmpty(t, s)
	})

	t.Run("ConcurrentEnqueueOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		const goroutines, each = 20, 25
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			ids = map[string]bool{}
		)
		errs := make(chan error, goroutines*each)
		for range goroutines {
			wg.Go(func() {
				for range each {
					r := &weir.Run{ApplicationID: f.ApplicationID, FlowID: f.ID, Data: json.RawMessage(`{}`)}
					if err := s.EnqueueRun(t.Context(), r); err != nil {
						errs <- err
						continue
					}
					mu.Lock()
					ids[r.ID] = true
					mu.Unlock()
				}
			})
		}
		// Claim while the enqueues are still going on.
		claimed := map[string]int{}
		claimErr := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			for n := 0; n < goroutines*each; {
				runs, err := s.ClaimRuns(ctx, 64)
				if err != nil {
					claimErr <- err
					return
				}
				for _, r := range runs {
					claimed[r.ID]++
				}
				n += len(runs)
			}
			claimErr <- nil
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent EnqueueRun: %v", err)
		}
		if err := <-claimErr; err != nil {
			t.Fatalf("ClaimRuns after %d runs: %v", len(claimed), err)
		}
		if len(ids) != goroutines*each {
			t.Fatalf("%d distinct run ids, want %d", len(ids), goroutines*each)
		}
		for id, n := range claimed {
			if !ids[id] || n != 1 {
				t.Fatalf("run %s claimed %d times, want once (known: %v)", id, n, ids[id])
			}
		}
	})

	t.Run("CompleteWithoutEntryOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustEnqueue(t, s, f, `{}`)
		runs, err := claim(t, s, 1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteRun(t.Context(), runs[0], nil); err != nil {
			t.Fatalf("CompleteRun without an entry: %v", err)
		}
		checkLogLen(t, s, f.ID, 0)
		checkQueueEmpty(t, s)
		checkStats(t, s, f, weir.FlowStats{ByVersion: map[string]weir.VersionStats{}})
	})

	t.Run("CompleteDeletedFlowOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		mustEnqueue(t, s, f, `{}`)
		runs, err := claim(t, s, 1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		e := &weir.LogEntry{ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: weir.DevelopVersion, Time: ms(time.Now())}
		if err := s.CompleteRun(t.Context(), runs[0], e); err != nil {
			t.Fatalf("CompleteRun of a deleted flow's run: %v", err)
		}
		checkLogLen(t, s, f.ID, 0)
		checkQueueEmpty(t, s)
	})
}

// checkStats fails t unless f's stored stats equal want.
func checkStats(t *testing.T, s Store, f *weir.Flow, want weir.FlowStats) {
	t.Helper()
	got, err := s.FindFlowByID(t.Context(), f.ApplicationID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkDiff(t, "stats", got.Stats, want)
}
