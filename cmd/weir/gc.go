package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// gcPercent is the garbage collector target weir serve runs with when the
// environment sets no GOGC: the heap may grow to five times what is live
// before a collection, instead of Go's default of twice. Runs allocate
// briefly and a lot (decoded payloads, rendered templates, JavaScript
// values), so collecting less often buys a fifth to a third more
// throughput (bench/README.md) for a heap that stays a few tens of MiB.
// GOGC and GOMEMLIMIT in the environment still win.
const gcPercent = 400

// gcHeadroom bounds the garbage gcPercent lets the heap hold: once the live
// heap is over a quarter of it (a large fleet of connected devices, say),
// the target falls towards Go's default so that the heap grows by at most
// about gcHeadroom between collections (never by less than what is live).
const gcHeadroom = 64 << 20

// gcTunePeriod is how often the target is adjusted to the live heap.
const gcTunePeriod = time.Second

// tuneGC applies gcPercent unless GOGC is set and, until ctx ends, keeps
// the heap's growth between collections within gcHeadroom (see
// gcPercentFor).
func tuneGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	debug.SetGCPercent(gcPercent)
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		applied := gcPercent
		t := time.NewTicker(gcTunePeriod)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if p := gcPercentFor(sample[0].Value.Uint64()); p != applied {
				debug.SetGCPercent(p)
				applied = p
			}
		}
	}()
}

// gcPercentFor returns the GC target for a live heap of live bytes:
// gcPercent while the garbage it allows is under gcHeadroom, less above,
// and never under Go's default of 100. It moves in steps of 25, so that a
// heap going up and down a little does not change it each time.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcPercent
	}
	p := int(uint64(gcHeadroom) * 100 / live)
	p -= p % 25
	return max(100, min(gcPercent, p))
}

// releaseStartupMemory collects what opening the store and the caches left
// behind and returns it to the operating system, so that an idle weir holds
// only what it uses; with the higher gcPercent, that garbage would otherwise
// stay until the heap had grown fivefold.
func releaseStartupMemory() { debug.FreeOSMemory() }
