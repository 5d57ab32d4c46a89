package engine

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestRunLoggerWritesItsAttributes: a run's logger writes what base.With
// would, groups included.
func TestRunLoggerWritesItsAttributes(t *testing.T) {
	var got, want bytes.Buffer
	strip := func(s string) string { // the time differs
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			out = append(out, l[strings.Index(l, " level="):])
		}
		return strings.Join(out, "\n")
	}
	lazy := runLogger(slog.New(slog.NewTextHandler(&got, nil)), slog.String("run_id", "r1"), slog.String("flow_id", "f1"))
	eager := slog.New(slog.NewTextHandler(&want, nil)).With("run_id", "r1", "flow_id", "f1")
	for _, l := range []*slog.Logger{lazy, eager} {
		l.Info("one", "k", 1)
		l.Debug("not written")
		l.With("node_id", "n").WithGroup("g").Warn("two", "k", 2)
	}
	if strip(got.String()) != strip(want.String()) {
		t.Fatalf("run logger wrote\n%s\nwant\n%s", got.String(), want.String())
	}
}
