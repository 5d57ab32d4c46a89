package queuetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// testStats checks RunQueueStats, for queues that implement
// weir.QueueStatter: runs waiting and running, and the acceptance time of
// the oldest waiting one.
func testStats(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("CountsOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		st, ok := q.(weir.QueueStatter)
		if !ok {
			t.Skip("the queue does not report stats")
		}
		check := func(what string, waiting, running int, oldest time.Time) {
			t.Helper()
			s, err := st.RunQueueStats(t.Context())
			if err != nil {
				t.Fatalf("%s: RunQueueStats: %v", what, err)
			}
			if s.Waiting != waiting || s.Running != running || !s.OldestWaiting.Equal(oldest) {
				t.Errorf("%s: RunQueueStats = %+v, want %d waiting, %d running, oldest %v", what, s, waiting, running, oldest)
			}
		}
		check("empty", 0, 0, time.Time{})
		base := time.Now().UTC().Truncate(time.Millisecond)
		var runs []*weir.Run
		for i := range 3 {
			r := tg.NewRun(t)
			r.Time = base.Add(time.Duration(i-3) * time.Minute)
			if err := q.EnqueueRun(t.Context(), r); err != nil {
				t.Fatal(err)
			}
			runs = append(runs, r)
		}
		check("three enqueued", 3, 0, runs[0].Time)
		first := mustClaim(t, q, 1)
		check("one claimed", 2, 1, runs[1].Time)
		mustComplete(t, q, first[0])
		check("one completed", 2, 0, runs[1].Time)
		var rest []*weir.Run
		for len(rest) < 2 {
			rest = append(rest, mustClaim(t, q, 2-len(rest))...)
		}
		check("all claimed", 0, 2, time.Time{})
		for _, r := range rest {
			mustComplete(t, q, r)
		}
		check("all completed", 0, 0, time.Time{})
	})
}
