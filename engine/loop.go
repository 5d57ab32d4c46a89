package engine

import (
	"strconv"
	"sync"

	"github.com/weirhq/weir/engine/js"
)

// MaxLoopIterations bounds the iterations of one loop.
const MaxLoopIterations = 262_144

// loopParallelism is how many iterations of a parallel loop run at once.
const loopParallelism = 5

// LoopItem is one iteration of a loop.
type LoopItem struct {
	Value  any
	Index  int
	Key    string // the property name, when looping over an object
	HasKey bool
}

// Looper is implemented by a node that runs its body (output 1) once per
// item and then continues on output 0. The engine drives the iterations; its
// Exec is never called.
type Looper interface {
	Node
	// LoopItems returns the items to iterate over for payload p.
	LoopItems(p Payload) ([]LoopItem, error)
	// StartIteration prepares p, a fresh copy, for the iteration over it.
	StartIteration(p Payload, it LoopItem, count int) error
	// IterationValue returns the map value of an iteration that ended with p.
	IterationValue(p Payload) any
	// FinishLoop writes the collected map values onto the payload leaving
	// the loop.
	FinishLoop(p Payload, values []any) error
	// Parallel reports whether iterations run concurrently, each on its own
	// copy of the payload entering the loop.
	Parallel() bool
}

// LoopCap is implemented by a node that ends one iteration of its loop. The
// first cap reached in an iteration decides it: its payload becomes the
// payload the loop carries on with, and brk ends the loop after it.
type LoopCap interface {
	Node
	// CapLoop returns whether to break and, when the cap names its own map
	// value path, the iteration's map value.
	CapLoop(p Payload) (brk bool, value any, hasValue bool)
}

// iteration collects the outcome of one loop iteration: every branch of the
// iteration registers in wg, and the first cap reached is kept.
type iteration struct {
	wg       sync.WaitGroup
	mu       sync.Mutex
	capped   bool
	payload  Payload
	brk      bool
	value    any
	hasValue bool
}

// capped records the first cap reached; later ones are ignored.
func (it *iteration) reach(p Payload, c LoopCap) {
	brk, value, hasValue := c.CapLoop(p)
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.capped {
		return
	}
	it.capped, it.payload, it.brk, it.value, it.hasValue = true, p, brk, value, hasValue
}

// runLoop runs the iterations of loop node v entering with payload p and
// returns the payload that continues on output 0. The loop is a fork of
// lane ln: iteration i's branches run in lanes of its own. The loop is
// trace step self.
func (r *runner) runLoop(v *vertex, l Looper, p Payload, ln *lane, self int) (Payload, error) {
	items, err := l.LoopItems(p)
	if err != nil {
		return nil, err
	}
	if len(items) > MaxLoopIterations {
		return nil, Errorf("RangeError", "loop over %d items exceeds the limit of %d", len(items), MaxLoopIterations)
	}
	values := make([]any, len(items))
	carried := p
	body := loopBody{v: v, l: l, count: len(items), prefix: ln.fork(), h: hop{from: self, via: 1}}
	if l.Parallel() {
		err = r.parallelIterations(body, p, items, values)
	} else {
		carried, err = r.serialIterations(body, p, items, values)
	}
	if err != nil {
		return nil, err
	}
	if err := l.FinishLoop(carried, values); err != nil {
		return nil, err
	}
	return carried, nil
}

// loopBody is what every iteration of one loop shares: the loop node v and
// its Looper l, the item count, the lane name prefix of the loop's fork and
// where the body's branches come from.
type loopBody struct {
	v      *vertex
	l      Looper
	count  int
	prefix string
	h      hop
}

// serialIterations runs one iteration after another, each starting from the
// payload the previous one's cap carried on with.
func (r *runner) serialIterations(b loopBody, p Payload, items []LoopItem, values []any) (Payload, error) {
	carried := p
	for i := range values {
		values[i] = js.Undefined{}
	}
	for i, item := range items {
		it, err := r.iterate(b, Clone(carried).(Payload), item, i)
		if err != nil {
			return nil, err
		}
		if !it.capped {
			continue
		}
		carried = it.payload
		values[i] = mapValue(b.l, it)
		if it.brk {
			break
		}
	}
	return carried, nil
}

// parallelIterations runs iterations concurrently on copies of p; only the
// map values come out of them.
func (r *runner) parallelIterations(b loopBody, p Payload, items []LoopItem, values []any) error {
	sem := make(chan struct{}, loopParallelism)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i, item := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			it, err := r.iterate(b, Clone(p).(Payload), item, i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && first == nil:
				first = err
			case err == nil && it.capped:
				values[i] = mapValue(b.l, it)
			case err == nil:
				values[i] = js.Undefined{}
			}
		}()
	}
	wg.Wait()
	return first
}

// iterate runs the loop body once on p, as iteration i, and waits for all
// of its branches.
func (r *runner) iterate(b loopBody, p Payload, item LoopItem, i int) (*iteration, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	if err := b.l.StartIteration(p, item, b.count); err != nil {
		return nil, err
	}
	it := &iteration{}
	r.fanOut(b.v.targets(1), p, it, iterationPrefix(b.prefix, i), b.h)
	it.wg.Wait()
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	return it, nil
}

// iterationPrefix is the lane name prefix of iteration i of the loop whose
// fork has prefix.
func iterationPrefix(prefix string, i int) string { return prefix + strconv.Itoa(i) + "." }

// mapValue is the iteration's map value: the cap's own, else the loop's.
func mapValue(l Looper, it *iteration) any {
	if it.hasValue {
		return it.value
	}
	return l.IterationValue(it.payload)
}
