package engine

import (
	"sync"
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
	start   time.Time
	mu      sync.Mutex
	steps   []weir.TraceStep
	omitted int
}

// now returns the milliseconds since the run started.
func (t *tracer) now() float64 { return float64(time.Since(t.start)) / float64(time.Millisecond) }

// record adds the step of node id, started at ms at and now ended on output
// port (failed when err is set), and returns its index; -2 when it is past
// the limit.
func (t *tracer) record(id string, h hop, at float64, port int, err error) int {
	s := weir.TraceStep{NodeID: id, From: h.from, Via: h.via, Output: port, Start: at, Time: t.now() - at}
	if err != nil {
		s.Output, s.Failed = -1, true
	}
	return t.add(s)
}

// reserve adds the step of a loop node started at ms at, before its body's
// steps; finish completes it.
func (t *tracer) reserve(id string, h hop, at float64) int {
	return t.add(weir.TraceStep{NodeID: id, From: h.from, Via: h.via, Start: at})
}

// finish completes reserved step i, which ended on output 0 or failed with err.
func (t *tracer) finish(i int, err error) {
	if i < 0 {
		return
	}
	end := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	s := &t.steps[i]
	s.Time = end - s.Start
	if err != nil {
		s.Output, s.Failed = -1, true
	}
}

func (t *tracer) add(s weir.TraceStep) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.steps) >= weir.MaxTraceSteps {
		t.omitted++
		return -2
	}
	if t.steps == nil {
		t.steps = make([]weir.TraceStep, 0, 8)
	}
	t.steps = append(t.steps, s)
	return len(t.steps) - 1
}

// trace returns the recorded run trace of a run started by trigger key.
func (t *tracer) trace(key string) *weir.RunTrace {
	t.mu.Lock()
	defer t.mu.Unlock()
	steps := t.steps
	if steps == nil {
		steps = []weir.TraceStep{}
	}
	return &weir.RunTrace{Trigger: key, Steps: steps, Omitted: t.omitted}
}
