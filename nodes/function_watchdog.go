package nodes

import (
	"context"
	"runtime/metrics"
	"time"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
)

// heapSampleInterval is how often the watchdog samples the heap.
const heapSampleInterval = 2 * time.Millisecond

// watchdog interrupts one script execution when its time limit passes, the
// run's context ends, or the process heap grows past the memory bound.
//
// goja has no heap accounting, so memory is bounded from outside: the
// watchdog compares the process heap with its size when the execution
// started. The live heap (as of the last GC) may grow by MaxHeapGrowth; the
// heap including not-yet-collected garbage by MaxHeapGrowth plus the live
// heap at start, at most MaxHeapGrowth more (some of the headroom GC pacing
// allows). Growth is process-wide, so an execution that runs while something
// else allocates heavily may be stopped with the culprit, and one built-in
// call that allocates a lot at once (a concatenation of two huge strings) is
// only seen after it returns.
type watchdog struct {
	done   chan struct{}
	exited chan struct{}
}

func startWatchdog(ctx context.Context, vm *goja.Runtime, lim FunctionLimits) *watchdog {
	w := &watchdog{done: make(chan struct{}), exited: make(chan struct{})}
	start := readHeap()
	liveBound := start.live + uint64(lim.MaxHeapGrowth)
	objectsBound := start.objects + uint64(lim.MaxHeapGrowth) + min(uint64(lim.MaxHeapGrowth), start.live)
	go func() {
		defer close(w.exited)
		timer := time.NewTimer(lim.Timeout)
		defer timer.Stop()
		tick := time.NewTicker(heapSampleInterval)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-ctx.Done():
				vm.Interrupt(engine.Errorf("TimeoutError", "run exceeded its time limit while the Function node was running"))
				return
			case <-timer.C:
				vm.Interrupt(engine.Errorf("TimeoutError", "Function node script ran for more than %s", lim.Timeout))
				return
			case <-tick.C:
				// The live figure is trusted only from a GC cycle that
				// started after the execution did: earlier ones may count
				// another execution's garbage as live.
				h := readHeap()
				if h.cycles >= start.cycles+2 && h.live > liveBound || h.objects > objectsBound {
					vm.Interrupt(engine.Errorf("FunctionNodeRangeError", "Function node script exceeded its memory limit of %d MiB", lim.MaxHeapGrowth>>20))
					return
				}
			}
		}
	}()
	return w
}

// stop ends the watchdog and waits for it, so that it cannot interrupt a
// runtime after the execution ended.
func (w *watchdog) stop() {
	close(w.done)
	<-w.exited
}

type heapSize struct{ live, objects, cycles uint64 }

// readHeap samples the live heap, the heap objects (collected or not) and
// the count of completed GC cycles.
func readHeap() heapSize {
	s := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(s)
	var h heapSize
	if s[2].Value.Kind() == metrics.KindUint64 {
		h.cycles = s[2].Value.Uint64()
	}
	if s[0].Value.Kind() == metrics.KindUint64 {
		h.live = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		h.objects = s[1].Value.Uint64()
	}
	return h
}
