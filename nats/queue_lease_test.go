package nats_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/queuetest"
)

// newRun returns a run without ID.
func newRun() *weir.Run {
	return &weir.Run{ApplicationID: weir.NewID(), FlowID: weir.NewID(), TriggerKey: "button",
		Time: time.Now().UTC().Truncate(time.Millisecond), Data: json.RawMessage(`{}`)}
}

// claimWithin claims up to n runs within d.
func claimWithin(t *testing.T, q weir.RunQueue, n int, d time.Duration) ([]*weir.Run, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return q.ClaimRuns(ctx, n)
}

func TestQueueExtendsLeaseOK(t *testing.T) {
	url := mustURL(t)
	stream, rec := mustStream(t, url), &queuetest.Recorder{}
	cfg := nats.QueueConfig{Stream: stream, Recorder: rec, Lease: time.Second, MaxHold: time.Minute}
	q1, q2 := mustOpenQueue(t, url, cfg), mustOpenQueue(t, url, cfg)
	if err := q1.EnqueueRun(t.Context(), newRun()); err != nil {
		t.Fatal(err)
	}
	runs, err := claimWithin(t, q1, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The run is still running three leases later: nobody else gets it.
	if got, err := claimWithin(t, q2, 1, 3*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns while the run is held = %d runs, %v; want none", len(got), err)
	}
	if err := q1.CompleteRun(t.Context(), runs[0], nil); err != nil {
		t.Fatal(err)
	}
	if got, err := claimWithin(t, q2, 1, 2500*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns after completion = %d runs, %v; want none", len(got), err)
	}
}

func TestQueueSkipsRecordedRunsOK(t *testing.T) {
	url := mustURL(t)
	stream, rec := mustStream(t, url), &queuetest.Recorder{}
	cfg := nats.QueueConfig{Stream: stream, Recorder: rec, Lease: time.Second, MaxHold: time.Second}
	q1, q2 := mustOpenQueue(t, url, cfg), mustOpenQueue(t, url, cfg)
	skipped, kept := newRun(), newRun()
	for _, r := range []*weir.Run{skipped, kept} {
		if err := q1.EnqueueRun(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if runs, err := claimWithin(t, q1, 2, 5*time.Second); err != nil || len(runs) != 2 {
		t.Fatalf("ClaimRuns = %d runs, %v; want 2", len(runs), err)
	}
	// The process records one run, then dies before acknowledging either.
	if err := rec.RecordRun(t.Context(), skipped, nil); err != nil {
		t.Fatal(err)
	}
	if err := crash(q1); err != nil {
		t.Fatal(err)
	}
	runs, err := claimWithin(t, q2, 2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].ID != kept.ID || runs[0].Attempt != 1 {
		t.Fatalf("ClaimRuns after the crash = %+v; want run %s, attempt 1", runs, kept.ID)
	}
	if n := q2.Duplicates(); n != 1 {
		t.Fatalf("Duplicates() = %d, want 1", n)
	}
	if err := q2.CompleteRun(t.Context(), runs[0], nil); err != nil {
		t.Fatal(err)
	}
	if got, err := claimWithin(t, q2, 2, 3*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns after the duplicate was skipped = %d runs, %v; want none", len(got), err)
	}
	if rec.Len() != 2 {
		t.Fatalf("%d runs recorded, want 2", rec.Len())
	}
}

func TestQueueMaxAckPendingOK(t *testing.T) {
	url := mustURL(t)
	stream := mustStream(t, url)
	q := mustOpenQueue(t, url, nats.QueueConfig{Stream: stream, Recorder: &queuetest.Recorder{}, MaxAckPending: 2})
	for range 3 {
		if err := q.EnqueueRun(t.Context(), newRun()); err != nil {
			t.Fatal(err)
		}
	}
	var held []*weir.Run
	for len(held) < 2 {
		runs, err := claimWithin(t, q, 3, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, runs...)
	}
	if len(held) != 2 {
		t.Fatalf("claimed %d runs with MaxAckPending 2", len(held))
	}
	if got, err := claimWithin(t, q, 3, time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns past MaxAckPending = %d runs, %v; want to wait", len(got), err)
	}
	if err := q.CompleteRun(t.Context(), held[0], nil); err != nil {
		t.Fatal(err)
	}
	if runs, err := claimWithin(t, q, 3, 5*time.Second); err != nil || len(runs) != 1 {
		t.Fatalf("ClaimRuns after a completion = %d runs, %v; want the third run", len(runs), err)
	}
}

func TestQueueConcurrentOpenOK(t *testing.T) {
	url := mustURL(t)
	stream := mustStream(t, url)
	var wg sync.WaitGroup
	queues := make([]*nats.Queue, 6)
	errs := make([]error, len(queues))
	for i := range queues {
		c, err := nats.Dial(url, "weir-test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		wg.Go(func() {
			queues[i], errs[i] = nats.OpenQueue(t.Context(), c, nats.QueueConfig{Stream: stream, Recorder: &queuetest.Recorder{}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("OpenQueue %d of %d at once: %v", i+1, len(queues), err)
		}
		t.Cleanup(func() { queues[i].Close() })
	}
	// Every process enqueues the same run (a timer tick): it runs once.
	r := newRun()
	r.ID = weir.NewID()
	for _, q := range queues {
		tick := *r
		if err := q.EnqueueRun(t.Context(), &tick); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := claimWithin(t, queues[0], 10, 5*time.Second)
	if err != nil || len(runs) != 1 || runs[0].ID != r.ID {
		t.Fatalf("ClaimRuns = %d runs, %v; want run %s once", len(runs), err, r.ID)
	}
	if got, err := claimWithin(t, queues[1], 10, time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second ClaimRuns = %d runs, %v; want none", len(got), err)
	}
}

func TestParseQueueURL(t *testing.T) {
	for _, tt := range []struct {
		raw, server, stream string
		lease               time.Duration
		err                 bool
	}{
		{raw: "nats://127.0.0.1:4222", server: "nats://127.0.0.1:4222"},
		{raw: "nats://u:p@h:4222?stream=RUNS_A&lease=5s", server: "nats://u:p@h:4222", stream: "RUNS_A", lease: 5 * time.Second},
		{raw: "tls://h:4222?stream=x-1", server: "tls://h:4222", stream: "x-1"},
		{raw: "nats://h?stream=a.b", err: true},
		{raw: "nats://h?stream=", err: true},
		{raw: "nats://h?lease=10ms", err: true},
		{raw: "nats://h?lease=soon", err: true},
		{raw: "nats://h?stream=A&stream=B", err: true},
		{raw: "nats://h?bogus=1", err: true},
		{raw: "http://h:4222", err: true},
	} {
		server, cfg, err := nats.ParseQueueURL(tt.raw)
		if tt.err {
			if err == nil {
				t.Errorf("ParseQueueURL(%q) = nil error, want one", tt.raw)
			}
			continue
		}
		if err != nil || server != tt.server || cfg.Stream != tt.stream || cfg.Lease != tt.lease {
			t.Errorf("ParseQueueURL(%q) = %q, %q, %v, %v; want %q, %q, %v", tt.raw, server, cfg.Stream, cfg.Lease, err,
				tt.server, tt.stream, tt.lease)
		}
	}
}

func TestQueueEnqueueUnreachableUnavailable(t *testing.T) {
	url := mustURL(t)
	q := mustOpenQueue(t, url, nats.QueueConfig{Stream: mustStream(t, url), Recorder: &queuetest.Recorder{}})
	q.client.Conn.Close()
	err := q.EnqueueRun(t.Context(), newRun())
	if weir.ErrorTypeOf(err) != weir.Unavailable {
		t.Fatalf("EnqueueRun without a connection = %v, want Unavailable", err)
	}
}

// TestQueueParkedRunsKeptPastMaxHoldOK parks a run (claimed while its flow
// was skipped) for longer than MaxHold: it must stay with the queue that
// parked it, not be offered to others, and be handed out with Attempt 0 once
// its flow is no longer skipped.
func TestQueueParkedRunsKeptPastMaxHoldOK(t *testing.T) {
	url := mustURL(t)
	stream, rec := mustStream(t, url), &queuetest.Recorder{}
	cfg := nats.QueueConfig{Stream: stream, Recorder: rec, Lease: time.Second, MaxHold: time.Second}
	q1, q2 := mustOpenQueue(t, url, cfg), mustOpenQueue(t, url, cfg)
	r := newRun()
	if err := q1.EnqueueRun(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if got, err := q1.ClaimRunsSkipping(ctx, 1, weir.RunSkip{Flows: []string{r.FlowID}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRunsSkipping of the only run's flow = %d runs, %v; want none", len(got), err)
	}
	if got, err := claimWithin(t, q2, 1, 3*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ClaimRuns of another queue while the run is parked = %d runs, %v; want none", len(got), err)
	}
	runs, err := claimWithin(t, q1, 1, time.Second)
	if err != nil || len(runs) != 1 || runs[0].ID != r.ID || runs[0].Attempt != 0 {
		t.Fatalf("ClaimRuns after parking = %+v, %v; want the parked run, first delivery", runs, err)
	}
	if err := q1.CompleteRun(t.Context(), runs[0], nil); err != nil {
		t.Fatal(err)
	}
}

// cancelingRecorder cancels the claim that asks it whether a run was
// recorded, then answers after a moment, as a lookup under load would.
type cancelingRecorder struct {
	*queuetest.Recorder
	cancel  context.CancelFunc
	lookups *atomic.Int32 // counted
}

func (r cancelingRecorder) RunRecorded(ctx context.Context, runID string) (bool, error) {
	r.lookups.Add(1)
	r.cancel()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-time.After(50 * time.Millisecond):
	}
	return r.Recorder.RunRecorded(ctx, runID)
}

// TestQueueCanceledClaimCountsNoAttemptOK cancels a claim while it asks
// whether a redelivered run was recorded, as an executor does when a fair
// share changes: the run must not be delivered again for it, so its attempt
// count stays that of the one crash. Before, the lookup failed with the
// claim, the message was released, and every such claim counted an attempt,
// until acknowledged presses were given up as failed.
func TestQueueCanceledClaimCountsNoAttemptOK(t *testing.T) {
	url := mustURL(t)
	stream, rec := mustStream(t, url), &queuetest.Recorder{}
	cfg := nats.QueueConfig{Stream: stream, Recorder: rec, Lease: time.Second, MaxHold: time.Second}
	q1 := mustOpenQueue(t, url, cfg)
	run := newRun()
	if err := q1.EnqueueRun(t.Context(), run); err != nil {
		t.Fatal(err)
	}
	// The waits below are bounds on a loaded machine, not on the queue:
	// each ends as soon as the run is there.
	first, err := claimWithin(t, q1, 1, 30*time.Second)
	if err != nil || len(first) != 1 {
		t.Fatalf("ClaimRuns = %d runs, %v; want 1", len(first), err)
	}
	// The crash counts one attempt more than this claim had. That is 0
	// unless a delivery got lost on the way: a pull answered after the
	// client stopped waiting (1 s for a pull of what is ready) counts a
	// delivery nobody saw, as on a starved machine.
	want := first[0].Attempt + 1
	if err := crash(q1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var lookups atomic.Int32
	cfg.Recorder = cancelingRecorder{Recorder: rec, cancel: cancel, lookups: &lookups}
	q2 := mustOpenQueue(t, url, cfg)
	runs, err := q2.ClaimRuns(ctx, 1)
	if len(runs) == 0 {
		// The claim ended without the run: it must come back, still at
		// the attempt of the crash.
		if runs, err = claimWithin(t, q2, 1, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if len(runs) != 1 || runs[0].ID != run.ID || runs[0].Attempt < want {
		t.Fatalf("ClaimRuns after the crash = %+v, %v; want run %s at attempt %d", runs, err, run.ID, want)
	}
	// Each delivery the queue saw asked once whether the run was recorded:
	// one lookup means the canceled claim kept the run rather than release
	// it for another delivery. A delivery lost on the way asks nothing but
	// counts an attempt.
	if n := lookups.Load(); n != 1 {
		t.Fatalf("the run was looked up %d times, delivered at attempt %d; want once, at attempt %d", n, runs[0].Attempt, want)
	}
	if runs[0].Attempt != want {
		t.Logf("attempt %d, want %d: a delivery was lost on the way", runs[0].Attempt, want)
	}
}
