package nats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/queuetest"
)

func TestQueueConformance(t *testing.T) {
	url := mustURL(t)
	queuetest.Run(t, func(t *testing.T) *queuetest.Target {
		stream := mustStream(t, url)
		rec := &queuetest.Recorder{}
		appID, flowID := weir.NewID(), weir.NewID()
		return &queuetest.Target{
			Open: func(t *testing.T) weir.RunQueue {
				return mustOpenQueue(t, url, nats.QueueConfig{Stream: stream, Recorder: rec,
					Lease: time.Second, MaxHold: time.Second, MaxQueued: 200})
			},
			Close: func(q weir.RunQueue) error { return crash(q.(*testQueue)) },
			EnqueueUndecodable: func(t *testing.T, q weir.RunQueue, r *weir.Run) {
				js := q.(*testQueue).client.JS
				if _, err := js.Publish(t.Context(), stream+".runs", []byte(queuetest.UndecodableBody(r))); err != nil {
					t.Fatal(err)
				}
			},
			NewRun: func(t *testing.T) *weir.Run {
				return &weir.Run{ApplicationID: appID, FlowID: flowID, FlowVersion: weir.DevelopVersion,
					TriggerType: "virtualButton", TriggerKey: flowID + "-button", TriggerID: flowID + "-button",
					Time: time.Now().UTC().Truncate(time.Millisecond)}
			},
			NewOtherRun: func(t *testing.T) *weir.Run {
				otherApp, otherFlow := appID+"-other", flowID+"-other"
				return &weir.Run{ApplicationID: otherApp, FlowID: otherFlow, FlowVersion: weir.DevelopVersion,
					TriggerType: "virtualButton", TriggerKey: otherFlow + "-button", TriggerID: otherFlow + "-button",
					Time: time.Now().UTC().Truncate(time.Millisecond)}
			},
			Redelivery:            3 * time.Second,
			Shared:                true,
			MaxQueued:             200,
			AttemptsSurviveReopen: true,
		}
	})
}

// testQueue is a queue with the connection it alone uses.
type testQueue struct {
	*nats.Queue
	client *nats.Client
}

// crash drops q's connection without acknowledging or releasing its claimed
// runs, as a killed process does, then closes q.
func crash(q *testQueue) error {
	q.client.Conn.Close()
	return q.Queue.Close()
}

// mustURL returns WEIR_TEST_NATS_URL or skips t.
func mustURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("WEIR_TEST_NATS_URL")
	if url == "" {
		t.Skip("set WEIR_TEST_NATS_URL (nats://127.0.0.1:4222) to run the NATS JetStream tests")
	}
	return url
}

// mustStream returns the name of a new stream, deleted when t ends.
func mustStream(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	stream := "WEIR_TEST_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		c, err := nats.Dial(url, "weir-test-cleanup")
		if err != nil {
			t.Errorf("delete stream %s: %v", stream, err)
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.JS.DeleteStream(ctx, stream); err != nil {
			t.Errorf("delete stream %s: %v", stream, err)
		}
	})
	return stream
}

// mustOpenQueue dials url and opens a queue on a connection of its own, both
// closed when t ends.
func mustOpenQueue(t testing.TB, url string, cfg nats.QueueConfig) *testQueue {
	t.Helper()
	c, err := nats.Dial(url, "weir-test")
	if err != nil {
		t.Fatal(err)
	}
	q, err := nats.OpenQueue(t.Context(), c, cfg)
	if err != nil {
		c.Close()
		t.Fatalf("OpenQueue: %v", err)
	}
	t.Cleanup(func() {
		q.Close()
		c.Close()
	})
	return &testQueue{Queue: q, client: c}
}
