package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/weirhq/weir"
)

// hop names what a branch continues from: the index of the trace step
// whose node led to it (-1 for the trigger, -2 for a step not recorded)
// and the output of that node.
type hop struct{ from, via int }

// triggerHop is where a run's first branches start.
var triggerHop = hop{from: -1}

// tracer records the steps of one run, at most weir.MaxTraceSteps; it is
// safe for concurrent use by the run's branches.
type tracer struct {
	start time.Time // the run's; a custom node run's steps count from its caller's
	count *atomic.Int64
	own   atomic.Int64 // what count points at, but in a custom node run
	mu    sync.Mutex
	t     weir.RunTrace // kept here, in the run's runner, to save an allocation
}

// now returns the milliseconds since the run started.
func (t *tracer) now() float64 { return float64(time.Since(t.start)) / float64(time.Millisecond) }

// record adds the step of node id, reached in lane l from l.from, started
// at l.at and now ended on output port (failed when err is set), and
// returns its index; -2 when it is past the limit. The end is l's next
// node's start: one clock read per step.
//
//go:noinline // kept out of the frame of step, which is on the stack while the node runs
func (t *tracer) record(id string, l *lane, port int, err error) int {
	end := t.now()
	s := weir.TraceStep{NodeID: id, From: l.from.from, Via: l.from.via, Output: port, Start: l.at, Time: end - l.at,
		Inner: l.inner}
	l.at, l.inner = end, nil
	if err != nil {
		s.Output, s.Failed = -1, true
	}
	return t.add(s)
}

// reserve adds the step of a loop node, reached in lane l, before its
// body's steps; finish completes it.
//
//go:noinline // kept out of the frame of step, which is on the stack while the node runs
func (t *tracer) reserve(id string, l *lane) int {
	return t.add(weir.TraceStep{NodeID: id, From: l.from.from, Via: l.from.via, Start: l.at})
}

// finish completes reserved step i, in lane l, which ended on output 0 or
// failed with err.
func (t *tracer) finish(i int, l *lane, err error) {
	end := t.now()
	l.at = end
	if i < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.t.Steps[i]
	s.Time = end - s.Start
	if err != nil {
		s.Output, s.Failed = -1, true
	}
}

func (t *tracer) add(s weir.TraceStep) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count.Add(1) > weir.MaxTraceSteps { // counted with the custom node runs within
		t.t.Omitted += 1 + s.Inner.Size() // a custom node run's steps go with its step
		return -2
	}
	if t.t.Steps == nil {
		t.t.Steps = make([]weir.TraceStep, 0, 8)
	}
	t.t.Steps = append(t.t.Steps, s)
	return len(t.t.Steps) - 1
}

// trace returns the recorded run trace of a run started by trigger key.
func (t *tracer) trace(key string) *weir.RunTrace {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.t.Trigger = key
	if t.t.Steps == nil {
		t.t.Steps = []weir.TraceStep{}
	}
	return &t.t
}
