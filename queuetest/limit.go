package queuetest

import (
	"testing"

	"github.com/weirhq/weir"
)

func testLimit(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("DepthUnavailableOK", func(t *testing.T) {
		tg := setup(t)
		if tg.MaxQueued == 0 {
			t.Skip("this queue has no depth bound")
		}
		q := tg.Open(t)
		for i := range tg.MaxQueued {
			mustEnqueue(t, tg, q, i)
		}
		over := tg.NewRun(t)
		over.Data = []byte(`{}`)
		err := q.EnqueueRun(t.Context(), over)
		if weir.ErrorTypeOf(err) != weir.Unavailable {
			t.Fatalf("EnqueueRun past %d waiting runs = %v, want Unavailable", tg.MaxQueued, err)
		}
		// Completing a run makes room for one more.
		mustComplete(t, q, mustClaim(t, q, 1)[0])
		mustEnqueue(t, tg, q, tg.MaxQueued)
		err = q.EnqueueRun(t.Context(), &weir.Run{ApplicationID: over.ApplicationID, FlowID: over.FlowID,
			FlowVersion: over.FlowVersion, TriggerKey: over.TriggerKey, Data: []byte(`{}`)})
		if weir.ErrorTypeOf(err) != weir.Unavailable {
			t.Fatalf("EnqueueRun past %d waiting runs = %v, want Unavailable", tg.MaxQueued, err)
		}
	})
}
