package nodes

import (
	"context"
	"runtime/metrics"
	"sync"
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
// allows). Growth is process-wide: when it crosses the bound of an
// execution that runs beside others, every execution in progress is stopped
// as a suspect and runs again alone (function_memory.go), where the bound
// applies to it alone. One built-in call that allocates a lot at once (a
// concatenation of two huge strings) is only seen after it returns.
//
// The watchdog has no goroutine of its own: the time limit is a timer, the
// run's context an AfterFunc, and the heap is sampled by heapWatch for all
// the executions in progress. Once stop returns, none of them can
// interrupt the runtime any more.
type watchdog struct {
	vm           *goja.Runtime
	alone        bool // a suspect running alone: its growth is its own
	start        heapSize
	liveBound    uint64
	objectsBound uint64
	heapMiB      int64
	timer        *time.Timer
	stopCtx      func() bool

	mu   sync.Mutex
	done bool // stopped, or the runtime was interrupted
}

func startWatchdog(ctx context.Context, vm *goja.Runtime, lim FunctionLimits, alone bool) *watchdog {
	start := readHeap()
	w := &watchdog{
		vm:           vm,
		alone:        alone,
		start:        start,
		liveBound:    start.live + uint64(lim.MaxHeapGrowth),
		objectsBound: start.objects + uint64(lim.MaxHeapGrowth) + min(uint64(lim.MaxHeapGrowth), start.live),
		heapMiB:      lim.MaxHeapGrowth >> 20,
	}
	w.timer = time.AfterFunc(lim.Timeout, func() {
		w.interrupt(func() error {
			return engine.Errorf("TimeoutError", "Function node script ran for more than %s", lim.Timeout)
		})
	})
	w.stopCtx = context.AfterFunc(ctx, func() {
		w.interrupt(func() error {
			return engine.Errorf("TimeoutError", "run exceeded its time limit while the Function node was running")
		})
	})
	heapWatch.add(w)
	return w
}

// interrupt interrupts the runtime with the error reason makes, unless the
// watchdog was stopped or has interrupted it already.
func (w *watchdog) interrupt(reason func() error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.done = true
		w.vm.Interrupt(reason())
	}
}

// over reports whether h is past the execution's bounds. The live figure
// is trusted only from a GC cycle that started after the execution did:
// earlier ones may count another execution's garbage as live.
func (w *watchdog) over(h heapSize) bool {
	return h.cycles >= w.start.cycles+2 && h.live > w.liveBound || h.objects > w.objectsBound
}

// exceeded interrupts the runtime with the memory error.
func (w *watchdog) exceeded() {
	w.interrupt(func() error {
		return engine.Errorf("FunctionNodeRangeError", "Function node script exceeded its memory limit of %d MiB", w.heapMiB)
	})
}

// suspect interrupts the runtime as a memory suspect, to run again alone.
func (w *watchdog) suspect() {
	w.interrupt(func() error { return errMemorySuspect })
}

// stop ends the watchdog: once it returns, the runtime is not interrupted
// any more.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
	w.timer.Stop()
	w.stopCtx()
	heapWatch.remove(w)
}

// heapWatch samples the heap every heapSampleInterval for the watchdogs in
// progress, from a goroutine that runs while there are any.
var heapWatch = &heapWatcher{active: map[*watchdog]struct{}{}}

type heapWatcher struct {
	mu      sync.Mutex
	active  map[*watchdog]struct{}
	running bool
}

func (hw *heapWatcher) add(w *watchdog) {
	hw.mu.Lock()
	defer hw.mu.Unlock()
	hw.active[w] = struct{}{}
	if !hw.running {
		hw.running = true
		go hw.loop()
	}
}

func (hw *heapWatcher) remove(w *watchdog) {
	hw.mu.Lock()
	delete(hw.active, w)
	hw.mu.Unlock()
}

// loop samples the heap until a tick finds no watchdog in progress.
func (hw *heapWatcher) loop() {
	tick := time.NewTicker(heapSampleInterval)
	defer tick.Stop()
	var ws []*watchdog
	for range tick.C {
		hw.mu.Lock()
		if len(hw.active) == 0 {
			hw.running = false
			hw.mu.Unlock()
			return
		}
		ws = ws[:0]
		for w := range hw.active {
			ws = append(ws, w)
		}
		hw.mu.Unlock()
		judge(ws, readHeap())
		clear(ws)
	}
}

// judge stops the executions in progress when h is past the bounds of one
// of them: a lone execution (or a suspect running alone) with the memory
// error, several side by side as suspects.
func judge(ws []*watchdog, h heapSize) {
	for _, w := range ws {
		if !w.over(h) {
			continue
		}
		if w.alone || len(ws) == 1 {
			w.exceeded()
			return
		}
		for _, s := range ws {
			s.suspect()
		}
		return
	}
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
