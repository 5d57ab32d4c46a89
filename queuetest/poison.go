package queuetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func testPoison(t *testing.T, setup func(t *testing.T) *Target) {
	t.Run("AttemptsSurviveKillOK", func(t *testing.T) {
		tg := setup(t)
		kill := tg.Kill
		if kill == nil {
			kill = tg.Close
		}
		q := tg.Open(t)
		r := mustEnqueue(t, tg, q, 1)
		// The process executing the run dies each time: the queue must
		// still count the deliveries, or such a run is retried forever.
		const kills = 2
		for attempt := range kills + 1 {
			runs, err := claim(t, q, 10, tg.Redelivery+10*time.Second)
			if err != nil {
				t.Fatalf("claim %d: %v", attempt+1, err)
			}
			if len(runs) != 1 {
				t.Fatalf("claim %d: %d runs, want 1", attempt+1, len(runs))
			}
			checkRun(t, runs[0], r, attempt)
			if attempt == kills {
				mustComplete(t, q, runs[0])
				break
			}
			if err := kill(q); err != nil {
				t.Fatalf("kill: %v", err)
			}
			q = tg.Open(t)
		}
		checkEmpty(t, q, tg.Redelivery+time.Second)
	})

	t.Run("UndecodableRunHandedOutOK", func(t *testing.T) {
		tg := setup(t)
		if tg.EnqueueUndecodable == nil {
			t.Skip("no way to store an undecodable run")
		}
		q := tg.Open(t)
		before := mustEnqueue(t, tg, q, 1)
		bad := tg.NewRun(t)
		bad.ID = weir.NewID()
		tg.EnqueueUndecodable(t, q, bad)
		after := mustEnqueue(t, tg, q, 2)
		// A queue opened on it (a restarted process) reads what is stored.
		if err := tg.Close(q); err != nil {
			t.Fatalf("Close: %v", err)
		}
		q = tg.Open(t)
		got := claimN(t, q, 3)
		for _, want := range []*weir.Run{before, after} {
			r := got[want.ID]
			if r == nil {
				t.Fatalf("run %s was not claimed next to an undecodable one", want.ID)
			}
			checkRun(t, r, want, r.Attempt)
			if r.DecodeError != "" {
				t.Fatalf("run %s has DecodeError %q", r.ID, r.DecodeError)
			}
		}
		r := got[bad.ID]
		if r == nil || r.DecodeError == "" || r.FlowID != bad.FlowID || r.ApplicationID != bad.ApplicationID {
			t.Fatalf("undecodable run claimed as %+v, want its ID, flow and application with DecodeError set", r)
		}
		t.Logf("DecodeError: %s", r.DecodeError)
		for _, r := range got {
			mustComplete(t, q, r)
		}
		checkEmpty(t, q, tg.Redelivery+time.Second)
	})
}

// UndecodableBody returns the stored form of run with its time of the
// wrong type, which weir.Run does not decode.
func UndecodableBody(run *weir.Run) string {
	return fmt.Sprintf(`{"id":%q,"applicationId":%q,"flowId":%q,"time":12,"data":{}}`,
		run.ID, run.ApplicationID, run.FlowID)
}
