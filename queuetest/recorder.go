package queuetest

import (
	"context"
	"sync"

	"github.com/weirhq/weir"
)

// Recorder is an in-memory weir.RunRecorder for queues that dispatch runs
// outside a store. It keeps every recorded run and entry.
type Recorder struct {
	mu       sync.Mutex
	recorded map[string]*weir.LogEntry
	calls    int
}

var _ weir.RunRecorder = (*Recorder)(nil)

// RecordRun records run with entry once; later calls for the same run ID
// change nothing.
func (r *Recorder) RecordRun(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.recorded == nil {
		r.recorded = map[string]*weir.LogEntry{}
	}
	if _, ok := r.recorded[run.ID]; !ok {
		r.recorded[run.ID] = entry
	}
	return nil
}

// RunRecorded reports whether runID was recorded.
func (r *Recorder) RunRecorded(ctx context.Context, runID string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.recorded[runID]
	return ok, nil
}

// Len returns the number of distinct runs recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.recorded)
}

// Calls returns the number of RecordRun calls, duplicates included.
func (r *Recorder) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}
