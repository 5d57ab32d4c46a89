package nodes

import (
	"context"
	"errors"
	"testing"

	"github.com/dop251/goja"
	"github.com/weirhq/weir/engine"
)

// interrupted reports whether vm has an interrupt pending, and clears it.
func interrupted(t *testing.T, vm *goja.Runtime) bool {
	t.Helper()
	return interruptOf(t, vm) != nil
}

// interruptOf returns the interrupt pending on vm, or nil, and clears it.
func interruptOf(t *testing.T, vm *goja.Runtime) *goja.InterruptedError {
	t.Helper()
	_, err := vm.RunString(`1`)
	var ie *goja.InterruptedError
	if err != nil && !errors.As(err, &ie) {
		t.Fatal(err)
	}
	vm.ClearInterrupt()
	return ie
}

func TestWatchdog_HeapBound(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits, false)
	below := w.start
	below.objects = w.objectsBound
	if judge([]*watchdog{w}, below); interrupted(t, vm) {
		t.Fatal("interrupted at the heap bound")
	}
	over := below
	over.objects++
	if judge([]*watchdog{w}, over); !interrupted(t, vm) {
		t.Fatal("not interrupted past the heap bound")
	}
	w.stop()
}

func TestWatchdog_LiveBoundNeedsNewCycles(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits, false)
	defer w.stop()
	h := w.start
	h.live = w.liveBound + 1
	h.cycles = w.start.cycles + 1
	if judge([]*watchdog{w}, h); interrupted(t, vm) {
		t.Fatal("interrupted on the live heap of a GC cycle that started before the execution")
	}
	h.cycles++
	if judge([]*watchdog{w}, h); !interrupted(t, vm) {
		t.Fatal("not interrupted past the live bound")
	}
}

func TestWatchdog_NothingAfterStop(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits, false)
	w.stop()
	h := w.start
	h.objects = w.objectsBound + 1
	if judge([]*watchdog{w}, h); interrupted(t, vm) {
		t.Fatal("a stopped watchdog interrupted the runtime")
	}
	heapWatch.mu.Lock()
	_, active := heapWatch.active[w]
	heapWatch.mu.Unlock()
	if active {
		t.Error("a stopped watchdog is still sampled")
	}
}

func TestWatchdog_EndedContext(t *testing.T) {
	vm := goja.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := startWatchdog(ctx, vm, DefaultFunctionLimits, false)
	defer w.stop()
	// An ended context interrupts at once: the loop cannot finish.
	_, err := vm.RunString(`for (;;) {}`)
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("RunString error = %v, want an interrupt", err)
	}
}

// TestWatchdog_Attribution checks who is stopped when the heap crosses one
// execution's bound: a lone one or a suspect running alone gets the memory
// error; executions side by side are all stopped as suspects.
func TestWatchdog_Attribution(t *testing.T) {
	isMemoryError := func(ie *goja.InterruptedError) bool {
		ne, ok := ie.Value().(*engine.NodeError)
		return ok && ne.Name == "FunctionNodeRangeError"
	}
	// The watchdogs are live (heapWatch samples them too), so their bounds
	// come from their limits, never from a write after they started.
	startWith := func(lim FunctionLimits, alone bool) (*goja.Runtime, *watchdog) {
		vm := goja.New()
		w := startWatchdog(context.Background(), vm, lim, alone)
		t.Cleanup(w.stop)
		return vm, w
	}
	start := func(alone bool) (*goja.Runtime, *watchdog) { return startWith(DefaultFunctionLimits, alone) }
	t.Run("SideBySideAreSuspects", func(t *testing.T) {
		vmA, a := start(false)
		roomy := DefaultFunctionLimits
		roomy.MaxHeapGrowth *= 4
		vmB, b := startWith(roomy, false)
		h := a.start
		h.objects = a.objectsBound + 1 // past a's bound only
		if b.over(h) {
			t.Fatalf("b is over its bound too (%d > %d): the case needs b within it", h.objects, b.objectsBound)
		}
		judge([]*watchdog{b, a}, h)
		for name, vm := range map[string]*goja.Runtime{"a": vmA, "b": vmB} {
			if ie := interruptOf(t, vm); ie == nil || ie.Value() != errMemorySuspect {
				t.Errorf("%s: interrupt = %v, want the suspect interrupt", name, ie)
			}
		}
	})
	t.Run("LoneGetsTheError", func(t *testing.T) {
		vm, w := start(false)
		h := w.start
		h.objects = w.objectsBound + 1
		judge([]*watchdog{w}, h)
		if ie := interruptOf(t, vm); ie == nil || !isMemoryError(ie) {
			t.Errorf("interrupt = %v, want the memory error", ie)
		}
	})
	t.Run("AloneGetsTheError", func(t *testing.T) {
		vm, w := start(true)
		_, other := start(false)
		h := w.start
		h.objects = w.objectsBound + 1
		judge([]*watchdog{w, other}, h)
		if ie := interruptOf(t, vm); ie == nil || !isMemoryError(ie) {
			t.Errorf("interrupt = %v, want the memory error", ie)
		}
	})
}
