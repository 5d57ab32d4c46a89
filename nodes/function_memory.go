package nodes

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
)

// goja has no heap accounting: the memory a script holds cannot be read
// per runtime, only for the whole process. So the memory bound is enforced
// in two steps (see also the watchdog):
//
//   - While executions run side by side, the watchdog compares the process
//     heap with its size when each execution started. A lone execution that
//     crosses its bound is stopped with the memory error. When several are
//     in progress, any of them may be the one that grew, so all of them are
//     stopped as suspects; the process stays within the bound either way.
//   - A suspect runs again alone: the gate lets no other execution start
//     until it ends (those in progress finish first), so whatever the heap
//     gains is its own. A bomb crosses the bound again and gets the memory
//     error; a harmless script completes as if nothing had happened.
//
// The price is paid only after a crossing: suspects run twice (their
// earlier attempt is discarded: the payload was copied in and console
// messages are held until the end), one after another, and other Function
// executions wait while a suspect runs alone. Scripts have no other effects
// to repeat. The alternatives were worse: measuring each runtime's reachable
// size means walking its objects while the script mutates them, which goja
// cannot do safely from another goroutine, and Go attributes allocation
// neither to goroutines nor to profiler labels.

// errMemorySuspect interrupts an execution that was in progress when the
// process heap crossed the bound beside other executions.
var errMemorySuspect = errors.New("function node: stopped as a memory suspect")

// memoryGate admits Function executions side by side, or one suspect alone.
var memoryGate = newGate()

// gate is a readers-writer lock whose waits end with a context; waiting
// suspects keep new shared executions out so that they get their turn.
type gate struct {
	mu      sync.Mutex
	shared  int           // executions in progress side by side
	waiting int           // suspects waiting to run alone
	alone   bool          // a suspect runs alone
	changed chan struct{} // closed and replaced when the state eases
}

func newGate() *gate { return &gate{changed: make(chan struct{})} }

// enter admits a shared execution; leave must follow unless it fails.
func (g *gate) enter(ctx context.Context) error {
	g.mu.Lock()
	for g.alone || g.waiting > 0 {
		if err := g.wait(ctx); err != nil {
			g.mu.Unlock()
			return err
		}
	}
	g.shared++
	g.mu.Unlock()
	return nil
}

// leave ends a shared execution.
func (g *gate) leave() {
	g.mu.Lock()
	if g.shared--; g.shared == 0 && g.waiting > 0 {
		g.ease() // only suspects wait for the last shared execution
	}
	g.mu.Unlock()
}

// enterAlone admits a suspect once no other execution is in progress;
// leaveAlone must follow unless it fails.
func (g *gate) enterAlone(ctx context.Context) error {
	g.mu.Lock()
	g.waiting++
	for g.alone || g.shared > 0 {
		if err := g.wait(ctx); err != nil {
			if g.waiting--; g.waiting == 0 {
				g.ease()
			}
			g.mu.Unlock()
			return err
		}
	}
	g.waiting--
	g.alone = true
	g.mu.Unlock()
	return nil
}

// leaveAlone ends a suspect's execution.
func (g *gate) leaveAlone() {
	g.mu.Lock()
	g.alone = false
	g.ease()
	g.mu.Unlock()
}

// wait releases g.mu until the state eases or ctx ends, and takes it back.
func (g *gate) wait(ctx context.Context) error {
	ch := g.changed
	g.mu.Unlock()
	select {
	case <-ch:
		g.mu.Lock()
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		return ctx.Err()
	}
}

// ease wakes every waiter to check the state again; g.mu is held.
func (g *gate) ease() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// runAlone runs attempt as a suspect: alone, on a heap cleared of the
// garbage the stopped executions left, so that its own growth is measured.
func runAlone(ctx context.Context, attempt func() (any, error)) (any, error) {
	if err := memoryGate.enterAlone(ctx); err != nil {
		return nil, err
	}
	defer memoryGate.leaveAlone()
	suspectReruns.Add(1)
	runtime.GC()
	return attempt()
}

// suspectReruns counts the executions run again alone as memory suspects.
var suspectReruns atomic.Int64

// suspected reports whether err is the interrupt of a memory suspect.
func suspected(err error) bool {
	if err == nil {
		return false // without allocating ie
	}
	var ie *goja.InterruptedError
	return errors.As(err, &ie) && ie.Value() == errMemorySuspect
}
