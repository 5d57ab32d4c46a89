package storetest

import (
	"sync"
	"testing"

	"github.com/weirhq/weir"
)

// RecorderStore is a store that also records the runs an outside queue
// dispatches.
type RecorderStore interface {
	Store
	weir.RunRecorder
}

// RunRecorder runs the run recorder suite. open must return a new, empty
// store for each call and close it in t.Cleanup.
func RunRecorder(t *testing.T, open func(t *testing.T) RecorderStore) {
	t.Run("RecordOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		r := runOf(f)
		checkRecorded(t, s, r.ID, false)
		for range 3 {
			if err := s.RecordRun(t.Context(), r, entryOf(f, r, 1)); err != nil {
				t.Fatalf("RecordRun: %v", err)
			}
		}
		checkRecorded(t, s, r.ID, true)
		checkLogLen(t, s, f.ID, 1)
		logged, err := s.FindLogEntries(t.Context(), f.ID, weir.LogFilter{Limit: 1, RunID: r.ID, WithPayload: true})
		if err != nil {
			t.Fatal(err)
		}
		checkDiff(t, "recorded trace", logged[0].Trace, entryOf(f, r, 1).Trace)
		checkDiff(t, "recorded payload", logged[0].Payload, entryOf(f, r, 1).Payload)
		checkDiff(t, "recorded replayOf", logged[0].ReplayOf, "r0")
		checkStats(t, s, f, weir.FlowStats{RunCount: 1, ErrorCount: 1, ByVersion: map[string]weir.VersionStats{
			weir.DevelopVersion: {RunCount: 1, ErrorCount: 1},
		}})
		checkRecorded(t, s, weir.NewID(), false)
	})

	t.Run("ConcurrentDuplicatesRecordOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		runs := []*weir.Run{runOf(f), runOf(f), runOf(f)}
		var wg sync.WaitGroup
		errs := make(chan error, 8*len(runs))
		for range 8 {
			for _, r := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.RecordRun(t.Context(), r, entryOf(f, r, 0))
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("RecordRun: %v", err)
			}
		}
		checkLogLen(t, s, f.ID, len(runs))
		checkStats(t, s, f, weir.FlowStats{RunCount: len(runs), ByVersion: map[string]weir.VersionStats{
			weir.DevelopVersion: {RunCount: len(runs)},
		}})
	})

	t.Run("ForgetsEffectsOnceOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		r := runOf(f)
		if v, err := s.IncrStorageEntry(withEffect(t, r.ID, "0"), f.ID, "n", 1); err != nil || v != 1 {
			t.Fatalf("IncrStorageEntry = %v, %v; want 1", v, err)
		}
		if err := s.RecordRun(t.Context(), r, entryOf(f, r, 0)); err != nil {
			t.Fatal(err)
		}
		// Forgotten: the effect applies again, and is remembered again,
		// since a second RecordRun changes nothing.
		for range 2 {
			if v, err := s.IncrStorageEntry(withEffect(t, r.ID, "0"), f.ID, "n", 1); err != nil || v != 2 {
				t.Fatalf("IncrStorageEntry after RecordRun = %v, %v; want 2", v, err)
			}
			if err := s.RecordRun(t.Context(), r, entryOf(f, r, 0)); err != nil {
				t.Fatal(err)
			}
		}
		checkLogLen(t, s, f.ID, 1)
	})

	t.Run("NilEntryOrDeletedFlowOnlyMarksOK", func(t *testing.T) {
		s := open(t)
		f := mustAppFlow(t, s)
		r := runOf(f)
		if err := s.RecordRun(t.Context(), r, nil); err != nil {
			t.Fatal(err)
		}
		checkRecorded(t, s, r.ID, true)
		if err := s.RecordRun(t.Context(), r, entryOf(f, r, 0)); err != nil {
			t.Fatal(err)
		}
		checkLogLen(t, s, f.ID, 0)

		gone := runOf(f)
		if err := s.DeleteFlow(t.Context(), f.ApplicationID, f.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordRun(t.Context(), gone, entryOf(f, gone, 0)); err != nil {
			t.Fatalf("RecordRun of a deleted flow's run: %v", err)
		}
		checkRecorded(t, s, gone.ID, true)
	})
}

// runOf returns a run of f with a new ID, not enqueued.
func runOf(f *weir.Flow) *weir.Run {
	return &weir.Run{ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID,
		FlowVersion: weir.DevelopVersion, TriggerType: "virtualButton", TriggerKey: "button"}
}

// entryOf returns the log entry of r, with failed failed paths.
func entryOf(f *weir.Flow, r *weir.Run, failed int) *weir.LogEntry {
	return &weir.LogEntry{ID: r.ID, FlowVersionID: weir.DevelopVersion, Time: ms(r.Time), RunCount: 1,
		PathsCompleted: 1, PathsFailed: failed, Trace: &weir.RunTrace{Trigger: r.TriggerKey,
			Steps: []weir.TraceStep{{NodeID: "n", From: -1, Output: 0, Time: 0.25}}},
		ReplayOf: "r0", Payload: weir.KeepRunPayload(r)}
}

// checkRecorded fails t unless RunRecorded(id) reports want.
func checkRecorded(t *testing.T, s RecorderStore, id string, want bool) {
	t.Helper()
	got, err := s.RunRecorded(t.Context(), id)
	if err != nil || got != want {
		t.Fatalf("RunRecorded(%s) = %v, %v; want %v", id, got, err, want)
	}
}
