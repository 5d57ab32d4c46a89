package queuetest

import (
	"testing"
	"time"
)

func testOrder(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("EnqueueOrderOK", func(t *testing.T) {
		tg := setup(t)
		q := tg.Open(t)
		const n = 20
		var want []string
		for i := range n {
			want = append(want, mustEnqueue(t, tg, q, i).ID)
		}
		var got []string
		for len(got) < n {
			for _, r := range mustClaim(t, q, 3) {
				got = append(got, r.ID)
				mustComplete(t, q, r)
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("claim %d got run %s, want %s (enqueued %d-th)", i, got[i], want[i], i)
			}
		}
		checkEmpty(t, q, 100*time.Millisecond)
	})
}
