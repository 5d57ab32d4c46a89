package nats_test

import (
	"testing"

	"github.com/weirhq/weir/nats"
	"github.com/weirhq/weir/queuetest"
)

// BenchmarkQueueRoundTrip enqueues, claims and completes one run per
// iteration through JetStream, from several goroutines.
func BenchmarkQueueRoundTrip(b *testing.B) {
	url := mustURL(b)
	q := mustOpenQueue(b, url, nats.QueueConfig{Stream: mustStream(b, url), Recorder: &queuetest.Recorder{}})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := newRun()
			if err := q.EnqueueRun(b.Context(), r); err != nil {
				b.Error(err)
				return
			}
			runs, err := q.ClaimRuns(b.Context(), 1)
			if err != nil {
				b.Error(err)
				return
			}
			for _, r := range runs {
				if err := q.CompleteRun(b.Context(), r, nil); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
}
