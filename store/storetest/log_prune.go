package storetest

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// PrunerStore is a store that can prune run logs.
type PrunerStore interface {
	Store
	weir.LogPruner
}

// RunLogPruning runs the log retention suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
func RunLogPruning(t *testing.T, open func(t *testing.T) PrunerStore) {
	t.Run("KeepNewestPerFlowOK", func(t *testing.T) {
		s := open(t)
		a, b := mustAppFlow(t, s), mustAppFlow(t, s)
		now := ms(time.Now())
		for i := range 5 {
			mustLog(t, s, a, &weir.LogEntry{Time: now.Add(time.Duration(i) * time.Second), RunCount: 1, WallTime: float64(i)})
		}
		mustLog(t, s, b, &weir.LogEntry{Time: now, RunCount: 1})
		n, err := s.PruneLogEntries(t.Context(), 2, time.Time{})
		if err != nil || n != 3 {
			t.Fatalf("PruneLogEntries(keep 2) = %d, %v; want 3 deleted", n, err)
		}
		entries, _ := s.FindLogEntries(t.Context(), a.ID, weir.LogFilter{})
		if len(entries) != 2 || entries[0].WallTime != 4 || entries[1].WallTime != 3 {
			t.Errorf("flow a kept %v, want its two newest entries", wallTimes(entries))
		}
		checkLogLen(t, s, b.ID, 1)
	})

	t.Run("OlderThanOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		now := ms(time.Now())
		mustLog(t, s, f, &weir.LogEntry{Time: now.Add(-48 * time.Hour), RunCount: 1})
		mustLog(t, s, f, &weir.LogEntry{Time: now, RunCount: 1})
		n, err := s.PruneLogEntries(t.Context(), 0, now.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PruneLogEntries(older than a day) = %d, %v; want 1 deleted", n, err)
		}
		checkLogLen(t, s, f.ID, 1)
		if n, err := s.PruneLogEntries(t.Context(), 0, time.Time{}); err != nil || n != 0 {
			t.Errorf("PruneLogEntries with no bound = %d, %v; want nothing deleted", n, err)
		}
	})
}
