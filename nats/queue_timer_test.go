package nats_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/mock"
	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/queuetest"
	"github.com/weirhq/weir/triggers"
)

// TestQueueTimerTickRunsOnceOK runs the timers of two processes, each
// enqueueing every tick of a one-second timer into its own queue on a shared
// stream, and checks that each tick became one run.
func TestQueueTimerTickRunsOnceOK(t *testing.T) {
	url := mustURL(t)
	stream := mustStream(t, url)
	cfg := nats.QueueConfig{Stream: stream, Recorder: &queuetest.Recorder{}}
	flow := &weir.Flow{ID: weir.NewID(), ApplicationID: weir.NewID(), Enabled: true, Definition: weir.Definition{
		Triggers: []weir.Trigger{{Key: "tick", Type: "timer", Config: json.RawMessage(`{"seconds": 1}`)}},
	}}
	flows := &mock.FlowService{FindFlowsFn: func(context.Context, weir.FlowFilter) ([]*weir.Flow, int, error) {
		return []*weir.Flow{flow}, 1, nil
	}}
	queues := []*testQueue{mustOpenQueue(t, url, cfg), mustOpenQueue(t, url, cfg)}
	for _, q := range queues {
		ts := &triggers.Timers{Flows: flows, Queue: q, Tick: 10 * time.Millisecond}
		if err := ts.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ts.Close() })
	}
	time.Sleep(3500 * time.Millisecond)

	ticks := map[time.Time]string{} // tick time -> run id
	for {
		runs, err := claimWithin(t, queues[0], 100, time.Second)
		if errors.Is(err, context.DeadlineExceeded) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if id, dup := ticks[r.Time]; dup {
				t.Fatalf("tick %v ran twice: runs %s and %s", r.Time, id, r.ID)
			}
			ticks[r.Time] = r.ID
			if err := queues[0].CompleteRun(t.Context(), r, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(ticks) < 3 {
		t.Fatalf("%d ticks ran in 3.5 s of a one-second timer, want at least 3", len(ticks))
	}
	t.Logf("two processes fired %d ticks, each once", len(ticks))
}
