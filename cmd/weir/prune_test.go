package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// pruneRecorder records the prune calls a logPruner makes.
type pruneRecorder struct {
	weir.DeviceStateService
	before []time.Time
}

func (r *pruneRecorder) PruneDeviceStates(_ context.Context, before time.Time) (int, error) {
	r.before = append(r.before, before)
	return 0, nil
}

func (r *pruneRecorder) PruneLogEntries(context.Context, int, time.Time) (int, error) { return 0, nil }

func TestPrunerPrunesDeviceStates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		maxAge time.Duration
		calls  int
	}{{"OK", 24 * time.Hour, 1}, {"KeepForever", 0, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			r := &pruneRecorder{}
			p := &logPruner{logs: r, states: r, stateMaxAge: tc.maxAge, logger: slog.New(slog.DiscardHandler)}
			start := time.Now()
			p.prune(t.Context())
			end := time.Now()
			if len(r.before) != tc.calls {
				t.Fatalf("PruneDeviceStates called %d times, want %d", len(r.before), tc.calls)
			}
			if tc.calls == 1 {
				if b := r.before[0]; b.Before(start.Add(-tc.maxAge)) || b.After(end.Add(-tc.maxAge)) {
					t.Errorf("pruned before %v, want now-%v", b, tc.maxAge)
				}
			}
		})
	}
}
