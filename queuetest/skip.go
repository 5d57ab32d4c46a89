package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testSkip(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("SkippedRunsWaitInOrderOK", func(t *testing.T) {
		tg := setup(t)
		q, ok := tg.Open(t).(weir.FairRunQueue)
		if !ok {
			t.Skip("not a weir.FairRunQueue")
		}
		a1 := mustEnqueue(t, tg, q, 1)
		a2 := mustEnqueue(t, tg, q, 2)
		b := tg.NewOtherRun(t)
		b.Data = []byte(`{"n": 3}`)
		if err := q.EnqueueRun(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a3 := mustEnqueue(t, tg, q, 4)

		// Skipping A's flow hands out B's run, which came after two of A's.
		runs := mustClaimSkipping(t, q, 10, weir.RunSkip{Flows: []string{a1.FlowID}})
		if len(runs) != 1 {
			t.Fatalf("claim skipping flow A = %d runs, want B's only", len(runs))
		}
		checkRun(t, runs[0], b, 0)
		mustComplete(t, q, runs[0])

		// Nothing else is claimable while A's flow is skipped.
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		if runs, err := q.ClaimRunsSkipping(ctx, 10, weir.RunSkip{Applications: []string{a1.ApplicationID}}); err == nil {
			t.Fatalf("claim skipping A's application = %d runs, want none", len(runs))
		}

		// A's runs waited, in their order.
		b2 := tg.NewOtherRun(t)
		b2.Data = []byte(`{"n": 5}`)
		if err := q.EnqueueRun(t.Context(), b2); err != nil {
			t.Fatal(err)
		}
		var got []*weir.Run
		for len(got) < 3 {
			got = append(got, mustClaimSkipping(t, q, 3-len(got), weir.RunSkip{Applications: []string{b.ApplicationID}})...)
		}
		for i, want := range []*weir.Run{a1, a2, a3} {
			checkRun(t, got[i], want, 0)
			mustComplete(t, q, got[i])
		}
		runs = mustClaimSkipping(t, q, 10, weir.RunSkip{})
		checkRun(t, runs[0], b2, 0)
		mustComplete(t, q, runs[0])
		checkEmpty(t, q, 200*time.Millisecond)
	})
}

// mustClaimSkipping claims up to n runs skipping skip within 10 seconds.
func mustClaimSkipping(t *testing.T, q weir.FairRunQueue, n int, skip weir.RunSkip) []*weir.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	runs, err := q.ClaimRunsSkipping(ctx, n, skip)
	if err != nil {
		t.Fatalf("ClaimRunsSkipping(%d, %+v): %v", n, skip, err)
	}
	if len(runs) == 0 || len(runs) > n {
		t.Fatalf("ClaimRunsSkipping(%d) = %d runs", n, len(runs))
	}
	return runs
}
