package queuetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testRedelivery(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("ReopenOK", func(t *testing.T) {
		tg := setup(t)
		q1 := tg.Open(t)
		done := mustEnqueue(t, tg, q1, 1)
		left := mustEnqueue(t, tg, q1, 2)
		claimed := claimN(t, q1, 2)
		mustComplete(t, q1, claimed[done.ID])
		if err := tg.Close(q1); err != nil {
			t.Fatalf("Close: %v", err)
		}

		q2 := tg.Open(t)
		runs, err := claim(t, q2, 10, tg.Redelivery+10*time.Second)
		if err != nil {
			t.Fatalf("ClaimRuns after reopening: %v", err)
		}
		if len(runs) != 1 {
			t.Fatalf("claimed %d runs after reopening, want the 1 left uncompleted", len(runs))
		}
		attempt := 0
		if tg.AttemptsSurviveReopen {
			attempt = 1
		}
		checkRun(t, runs[0], left, attempt)
		mustComplete(t, q2, runs[0])
		checkEmpty(t, q2, tg.Redelivery+time.Second)
	})

	t.Run("LeaseExpiresOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		r := mustEnqueue(t, tg, q, 1)
		first := mustClaim(t, q, 1)
		checkRun(t, first[0], r, 0)
		start := time.Now()
		runs, err := claim(t, q, 10, tg.Redelivery+10*time.Second)
		if err != nil {
			t.Fatalf("ClaimRuns waiting for the lease to run out: %v", err)
		}
		if len(runs) != 1 {
			t.Fatalf("claimed %d runs after the lease ran out, want 1", len(runs))
		}
		checkRun(t, runs[0], r, 1)
		t.Logf("offered again %v after the claim", time.Since(start).Round(time.Millisecond))
		mustComplete(t, q, runs[0])
		checkEmpty(t, q, tg.Redelivery+time.Second)
	})

	t.Run("ReopenAfterCompleteOK", func(t *testing.T) {
		tg := setup(t)
		q1 := tg.Open(t)
		mustEnqueue(t, tg, q1, 1)
		mustComplete(t, q1, mustClaim(t, q1, 1)[0])
		if err := tg.Close(q1); err != nil {
			t.Fatalf("Close: %v", err)
		}
		checkEmpty(t, tg.Open(t), tg.Redelivery+time.Second)
	})
}

// claimN claims runs until n distinct ones arrived and returns them by ID.
func claimN(t *testing.T, q weir.RunQueue, n int) map[string]*weir.Run {
	t.Helper()
	got := map[string]*weir.Run{}
	for len(got) < n {
		for _, r := range mustClaim(t, q, n-len(got)) {
			if got[r.ID] != nil {
				t.Fatalf("run %s claimed twice while leased", r.ID)
			}
			got[r.ID] = r
		}
	}
	return got
}
