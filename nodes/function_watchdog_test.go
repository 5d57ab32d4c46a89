package nodes

import (
	"context"
	"errors"
	"testing"

	"github.com/dop251/goja"
)

// interrupted reports whether vm has an interrupt pending, and clears it.
func interrupted(t *testing.T, vm *goja.Runtime) bool {
	t.Helper()
	_, err := vm.RunString(`1`)
	var ie *goja.InterruptedError
	if err != nil && !errors.As(err, &ie) {
		t.Fatal(err)
	}
	vm.ClearInterrupt()
	return err != nil
}

func TestWatchdog_HeapBound(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits)
	below := w.start
	below.objects = w.objectsBound
	if w.checkHeap(below); interrupted(t, vm) {
		t.Fatal("interrupted at the heap bound")
	}
	over := below
	over.objects++
	if w.checkHeap(over); !interrupted(t, vm) {
		t.Fatal("not interrupted past the heap bound")
	}
	w.stop()
}

func TestWatchdog_LiveBoundNeedsNewCycles(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits)
	defer w.stop()
	h := w.start
	h.live = w.liveBound + 1
	h.cycles = w.start.cycles + 1
	if w.checkHeap(h); interrupted(t, vm) {
		t.Fatal("interrupted on the live heap of a GC cycle that started before the execution")
	}
	h.cycles++
	if w.checkHeap(h); !interrupted(t, vm) {
		t.Fatal("not interrupted past the live bound")
	}
}

func TestWatchdog_NothingAfterStop(t *testing.T) {
	vm := goja.New()
	w := startWatchdog(context.Background(), vm, DefaultFunctionLimits)
	w.stop()
	h := w.start
	h.objects = w.objectsBound + 1
	if w.checkHeap(h); interrupted(t, vm) {
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
	w := startWatchdog(ctx, vm, DefaultFunctionLimits)
	defer w.stop()
	// An ended context interrupts at once: the loop cannot finish.
	_, err := vm.RunString(`for (;;) {}`)
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("RunString error = %v, want an interrupt", err)
	}
}
