package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector target weir serve runs with when the
// environment sets no GOGC: the heap may grow to five times what is live
// before a collection, instead of Go's default of twice. Runs allocate
// briefly and a lot (decoded payloads, rendered templates, JavaScript
// values), so collecting less often buys a fifth to a third more
// throughput (bench/README.md) for a heap that stays a few tens of MiB.
// GOGC and GOMEMLIMIT in the environment still win.
const gcPercent = 400

// tuneGC applies gcPercent unless GOGC is set.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

// releaseStartupMemory collects what opening the store and the caches left
// behind and returns it to the operating system, so that an idle weir holds
// only what it uses; with the higher gcPercent, that garbage would otherwise
// stay until the heap had grown fivefold.
func releaseStartupMemory() { debug.FreeOSMemory() }
