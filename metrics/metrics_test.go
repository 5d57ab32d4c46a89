package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/metrics"
	"github.com/weirhq/weir/mock"
)

// scrape returns the text the metrics handler serves.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("metrics handler = %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// has fails unless text holds the sample line.
func has(t *testing.T, text, line string) {
	t.Helper()
	if !strings.Contains(text, "\n"+line+"\n") {
		t.Errorf("metrics lack %q:\n%s", line, text)
	}
}

func TestQueue(t *testing.T) {
	m := metrics.New([]string{"DebugNode", "FunctionNode"})
	q := m.Queue(&mock.RunQueue{
		EnqueueRunFn: func(_ context.Context, r *weir.Run) error {
			if r.ID == "full" {
				return weir.Errorf(weir.Unavailable, "full")
			}
			return nil
		},
		CompleteRunFn: func(_ context.Context, r *weir.Run, _ *weir.LogEntry) error {
			if r.ID == "broken" {
				return errors.New("disk")
			}
			return nil
		},
	})
	ctx := t.Context()
	for _, id := range []string{"a", "b", "full"} {
		_ = q.EnqueueRun(ctx, &weir.Run{ID: id})
	}
	_ = q.CompleteRun(ctx, &weir.Run{ID: "a"}, &weir.LogEntry{WallTime: 1.5})
	_ = q.CompleteRun(ctx, &weir.Run{ID: "b"}, &weir.LogEntry{WallTime: 2000, Errors: []weir.RunError{
		{NodeType: "FunctionNode"}, {NodeType: "SomeFutureNode"}, {}}})
	_ = q.CompleteRun(ctx, &weir.Run{ID: "c"}, nil)
	_ = q.CompleteRun(ctx, &weir.Run{ID: "broken"}, &weir.LogEntry{})
	text := scrape(t, m)
	for _, line := range []string{
		"weir_runs_accepted_total 2", "weir_runs_completed_total 1", `go_build_info{checksum="",path="github.com/weirhq/weir",version="(devel)"} 1`, "weir_runs_failed_total 1",
		"weir_runs_dropped_total 1", "weir_run_duration_seconds_count 2", "weir_run_duration_seconds_sum 2.0015",
		`weir_run_duration_seconds_bucket{le="0.0025"} 1`,
		`weir_node_errors_total{node_type="FunctionNode"} 1`, `weir_node_errors_total{node_type="DebugNode"} 0`,
		`weir_node_errors_total{node_type="other"} 1`, `weir_node_errors_total{node_type="none"} 1`,
		`weir_store_duration_seconds_count{op="enqueue_run"} 3`, `weir_store_duration_seconds_count{op="complete_run"} 4`,
	} {
		has(t, text, line)
	}
	if strings.Contains(text, "SomeFutureNode") {
		t.Error("an unregistered node type became a label value")
	}
}

func TestRequests(t *testing.T) {
	m := metrics.New(nil)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "teapot":
			w.WriteHeader(http.StatusTeapot)
		case "stream":
			w.(http.Flusher).Flush() // a live stream flushes before writing
		case "hint":
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
		}
	})
	h := m.Requests(mux)
	for _, path := range []string{"/things/1", "/things/2", "/things/teapot", "/things/stream", "/things/hint", "/nothing/here"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	text := scrape(t, m)
	for _, line := range []string{
		`weir_http_requests_total{code="200",route="GET /things/{id}"} 3`,
		`weir_http_requests_total{code="418",route="GET /things/{id}"} 1`,
		`weir_http_requests_total{code="202",route="GET /things/{id}"} 1`,
		`weir_http_requests_total{code="404",route="other"} 1`,
	} {
		has(t, text, line)
	}
	if strings.Contains(text, "/things/1") || strings.Contains(text, `code="103"`) {
		t.Errorf("a raw path or an informational status became a label:\n%s", text)
	}
}

// limiter allows every other use.
type limiter struct{ n int }

func (l *limiter) Allow(string) (bool, time.Duration) { l.n++; return l.n%2 == 1, time.Second }

func TestLimiter(t *testing.T) {
	m := metrics.New(nil)
	if l := m.Limiter("presses", nil); l != nil {
		t.Errorf("Limiter(nil) = %v, want nil (no limit)", l)
	}
	l := m.Limiter("webhooks", &limiter{})
	for range 5 {
		l.Allow("k")
	}
	has(t, scrape(t, m), `weir_rate_limited_total{limit="webhooks"} 2`)
}

// stats is a fixed QueueStatter.
type stats struct {
	s   weir.QueueStats
	err error
}

func (s stats) RunQueueStats(context.Context) (weir.QueueStats, error) { return s.s, s.err }

func TestQueueStats(t *testing.T) {
	m := metrics.New(nil)
	if err := m.Register(metrics.QueueStats(stats{s: weir.QueueStats{Waiting: 7, Running: 2, OldestWaiting: time.Now().Add(-time.Minute)}})); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, m)
	has(t, text, "weir_runs_waiting 7")
	has(t, text, "weir_runs_running 2")
	i := strings.Index(text, "\nweir_runs_oldest_waiting_age_seconds ")
	if i < 0 {
		t.Fatalf("no oldest waiting age:\n%s", text)
	}
	line := strings.SplitN(text[i+1:], "\n", 2)[0]
	if age, err := strconv.ParseFloat(strings.Fields(line)[1], 64); err != nil || age < 60 || age > 70 {
		t.Errorf("%s, want about 60 s", line)
	}

	// A queue that cannot be read fails its own gauges, not the scrape.
	m = metrics.New(nil)
	if err := m.Register(metrics.QueueStats(stats{err: errors.New("database is locked")})); err != nil {
		t.Fatal(err)
	}
	text = scrape(t, m)
	has(t, text, "weir_runs_accepted_total 0")
	if strings.Contains(text, "weir_runs_waiting") {
		t.Errorf("an unreadable queue reported a depth:\n%s", text)
	}
}
