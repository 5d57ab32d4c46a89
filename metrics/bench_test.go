package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/metrics"
	"github.com/weirhq/weir/mock"
)

// BenchmarkRequests measures what counting adds to a request: compare
// the Bare and Counted sub-benchmarks.
func BenchmarkRequests(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /applications/{applicationId}/flows/{flowId}/virtualButton", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
	})
	req := httptest.NewRequest("POST", "/applications/a/flows/f/virtualButton", nil)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"Bare", mux}, {"Counted", metrics.New(nil).Requests(mux)}} {
		b.Run(bc.name, func(b *testing.B) {
			w := httptest.NewRecorder()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					bc.h.ServeHTTP(w, req.Clone(context.Background()))
				}
			})
		})
	}
}

// BenchmarkQueue measures what counting adds to enqueueing and completing
// a run that failed in one node.
func BenchmarkQueue(b *testing.B) {
	q := metrics.New([]string{"FunctionNode"}).Queue(&mock.RunQueue{
		EnqueueRunFn:  func(context.Context, *weir.Run) error { return nil },
		CompleteRunFn: func(context.Context, *weir.Run, *weir.LogEntry) error { return nil },
	})
	run := &weir.Run{ID: "r"}
	entry := &weir.LogEntry{WallTime: 3, Errors: []weir.RunError{{NodeType: "FunctionNode"}}}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = q.EnqueueRun(ctx, run)
			_ = q.CompleteRun(ctx, run, entry)
		}
	})
}
