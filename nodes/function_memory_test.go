package nodes_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/nodes"
)

// TestFunctionNode_MemoryBombBesideHarmless runs a memory bomb while a
// harmless execution of another node is in progress: only the bomb is
// stopped with the memory error, the harmless one completes, and the heap
// stays within the bound plus one step of the bomb.
func TestFunctionNode_MemoryBombBesideHarmless(t *testing.T) {
	const growth = 64 << 20
	nodes.SetFunctionLimits(nodes.FunctionLimits{MaxHeapGrowth: growth})
	t.Cleanup(func() { nodes.SetFunctionLimits(nodes.FunctionLimits{}) })
	harmless := mustFunction(t, `var n = 0, end = Date.now() + 2000;
		while (Date.now() < end) n++;
		payload.data.done = n > 0;`, "")
	// Each step allocates 32 MiB at once; the third crosses the bound.
	bomb := mustFunction(t, `const a = []; for (;;) a.push(new Float64Array(4e6));`, "")

	reruns := nodes.FunctionSuspectReruns()
	runtime.GC()
	base := heapObjects()
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	var sampled sync.WaitGroup
	sampled.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if h := heapObjects(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	})

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var harmlessErr error
	p := engine.Payload{"data": map[string]any{}}
	var wg sync.WaitGroup
	var harmlessTook time.Duration
	wg.Go(func() {
		start := time.Now()
		_, harmlessErr = harmless.Exec(ctx, &engine.Env{}, p)
		harmlessTook = time.Since(start)
	})
	for nodes.FunctionExecutions() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the harmless execution never started")
		}
		runtime.Gosched()
	}
	start := time.Now()
	_, bombErr := bomb.Exec(ctx, &engine.Env{}, engine.Payload{"data": map[string]any{}})
	bombTook := time.Since(start)

	wg.Wait()
	close(stopSampling)
	sampled.Wait()

	if name := errorName(bombErr); name != "FunctionNodeRangeError" {
		t.Errorf("bomb: Exec error = %v, want FunctionNodeRangeError", bombErr)
	}
	if harmlessErr != nil || p["data"].(map[string]any)["done"] != true {
		t.Errorf("harmless: Exec error = %v, payload %v; want it to complete", harmlessErr, p["data"])
	}
	// The crossing beside the harmless script stops both as suspects, and
	// each runs a second time, alone. (Its duration cannot tell: when the
	// bomb crosses within a few milliseconds, once and twice take about as
	// long.)
	if n := nodes.FunctionSuspectReruns() - reruns; n != 2 {
		t.Errorf("%d executions ran again alone, want 2 (the bomb and the harmless script)", n)
	}
	over := int64(peak.Load()) - int64(base)
	t.Logf("bomb stopped after %v, harmless done after %v; heap peaked %d MiB over the start (bound %d MiB)", bombTook.Round(time.Millisecond), harmlessTook.Round(time.Millisecond), over>>20, growth>>20)
	// The watchdog allows garbage the GC has yet to collect up to one more
	// bound, and the bomb grows in 32 MiB steps between samples taken every
	// 2 ms: typically 2 bounds and a step (122 MiB here). The sampler runs
	// late when the machine is starved of CPU (977 MiB once on a shared
	// 2-core machine, at about 1 GiB/s), so the test only checks that the
	// heap stayed far below what the bomb reaches when nothing stops it in
	// its 10 s.
	if limit := int64(24 * growth); over > limit {
		t.Errorf("heap grew %d MiB, want at most %d MiB", over>>20, limit>>20)
	}
}

// heapObjects reads the bytes of heap objects, collected or not.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
