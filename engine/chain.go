package engine

import (
	"sync"
	"time"
)

// Bounds of Workflow Trigger chains: the runs that Workflow Trigger nodes
// start, directly or through each other, from one run that no Workflow
// Trigger node started (the chain's origin). They hold whatever the press
// limit is, so that a flow that triggers itself cannot multiply its runs
// without end.
const (
	// MaxChainDepth bounds the presses between a chain's origin and a run
	// of the chain: a run at this depth cannot press another button.
	MaxChainDepth = 64

	// MaxChainRuns bounds the runs one chain starts, counted by each process
	// for as long as the chain keeps starting runs (and ChainIdle after).
	MaxChainRuns = 1000

	// ChainIdle is how long a process remembers the count of a chain that
	// started no run.
	ChainIdle = 10 * time.Minute
)

// chainCounts counts the runs each chain started, by origin run ID.
type chainCounts struct {
	mu      sync.Mutex
	counts  map[string]*chainCount
	inserts int
}

type chainCount struct {
	runs int
	last time.Time
}

// take counts one more run of the chain of origin at now, unless the chain
// started MaxChainRuns already; it reports whether the run may start.
func (c *chainCounts) take(origin string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]*chainCount{}
	}
	n := c.counts[origin]
	if n == nil || now.Sub(n.last) > ChainIdle {
		if c.inserts++; c.inserts%1024 == 0 {
			c.forget(now)
		}
		n = &chainCount{}
		c.counts[origin] = n
	}
	if n.runs >= MaxChainRuns {
		return false
	}
	n.runs++
	n.last = now
	return true
}

// give uncounts a run take counted that did not start.
func (c *chainCounts) give(origin string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.counts[origin]; n != nil && n.runs > 0 {
		n.runs--
	}
}

// forget drops the chains idle for ChainIdle; c.mu is held.
func (c *chainCounts) forget(now time.Time) {
	for origin, n := range c.counts {
		if now.Sub(n.last) > ChainIdle {
			delete(c.counts, origin)
		}
	}
}
