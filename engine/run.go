package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weirhq/weir"
)

// MaxNodeExecutions bounds the node executions of one run, so that a cycle in
// a flow cannot run forever.
const MaxNodeExecutions = 10_000

// errHalted cancels the other branches of a run after a halting error.
var errHalted = errors.New("run halted by a node error")

// Result is the outcome of one run.
type Result struct {
	PathsCompleted int
	PathsFailed    int
	Errors         []weir.RunError
	ErroredPayload Payload     // the payload at the first halting error; nil when none
	Return         *CallResult // how a custom node run ended: its first cap node; nil when none was reached
	WallTime       time.Duration
	Trace          *weir.RunTrace // the path the run took
	// StoreFull is set when a node failed because the store had no space
	// left (InsufficientStorage): the run should execute again later
	// rather than be recorded as failed.
	StoreFull bool
}

// Run executes the trigger with key triggerKey on payload p and waits until
// every branch has ended. Branches that fan out run concurrently, each on its
// own copy of the payload. A node error halts the whole run; so does ctx's
// deadline (the run time limit). If ctx is cancelled for another reason the
// run stops and Run returns ctx's error: the run did not finish and should be
// offered again.
func (g *Graph) Run(ctx context.Context, env *Env, triggerKey string, p Payload) (*Result, error) {
	start := time.Now()
	e, ok := g.triggers[triggerKey]
	if !ok {
		return nil, weir.Errorf(weir.NotFound, "trigger %s is not in the running version", triggerKey)
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &runner{env: env, ctx: runCtx, cancel: cancel, trace: tracer{start: start}}
	r.trace.count = &r.trace.own
	var prefix string
	caller := laneFrom(ctx)
	if caller != nil { // a custom node's run forks its caller's lane
		prefix = caller.fork() + "c"
		if caller.trace != nil { // and counts its steps in the caller's trace
			r.trace.start, r.trace.count = caller.trace.start, caller.trace.count
		}
	}
	r.fanOut(e.targets, p, nil, prefix, triggerHop)
	r.wg.Wait()
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	r.res.WallTime = time.Since(start)
	r.res.Trace = r.trace.trace(triggerKey)
	if caller != nil {
		r.res.Trace.FlowID = env.FlowID
		caller.inner = r.res.Trace // the caller's step holds it
	}
	return &r.res, nil
}

// runner is the state of one run shared by its branches.
type runner struct {
	env      *Env
	ctx      context.Context
	cancel   context.CancelCauseFunc
	wg       sync.WaitGroup
	steps    atomic.Int64
	mu       sync.Mutex
	res      Result
	timedOut bool
	trace    tracer
}

// fanOut starts one branch per target, coming from h: the first continues
// on p, the others on copies taken now. Branches inside a loop body belong
// to iteration it (nil outside loops). Branch i runs in lane child(prefix, i).
func (r *runner) fanOut(targets []*vertex, p Payload, it *iteration, prefix string, h hop) {
	for i, v := range targets {
		bp := p
		if i < len(targets)-1 {
			bp = Clone(p).(Payload)
		}
		r.wg.Add(1)
		if it != nil {
			it.wg.Add(1)
		}
		l := newLane(r.ctx, child(prefix, i))
		l.from, l.trace = h, &r.trace
		go func() {
			defer r.wg.Done()
			if it != nil {
				defer it.wg.Done()
			}
			r.branch(v, bp, it, l)
		}()
	}
}

// branch runs nodes one after another, the first reached through l.from,
// until the path ends, forking when a node's output has several targets.
// Its nodes run in lane l.
func (r *runner) branch(v *vertex, p Payload, it *iteration, l *lane) {
	l.at = r.trace.now()
	for {
		if err := r.ctx.Err(); err != nil {
			r.interrupted(v, p)
			return
		}
		if r.steps.Add(1) > MaxNodeExecutions {
			r.fail(v, p, Errorf("Error", "run exceeded %d node executions", MaxNodeExecutions))
			return
		}
		if r.cap(v, p, it, l) {
			return
		}
		port, err := r.step(v, &p, l)
		if err != nil {
			if r.ctx.Err() != nil {
				r.interrupted(v, p)
				return
			}
			r.fail(v, p, err)
			return
		}
		next := v.targets(port)
		l.from.via = port // step set l.from.from to its own trace step
		switch len(next) {
		case 0:
			r.completed()
			return
		case 1:
			v = next[0]
		default:
			r.fanOut(next[1:], Clone(p).(Payload), it, l.fork(), l.from)
			v = next[0]
		}
	}
}

// step runs one node, reached through ln.from, on *p and records it in
// the trace, setting ln.from.from to its step: a loop replaces *p with the
// payload leaving it. What it keeps across the node's execution lives in
// ln, not in its frame, which is on the stack while the node runs.
func (r *runner) step(v *vertex, p *Payload, ln *lane) (port int, err error) {
	l, ok := v.node.(Looper)
	if !ok || v.err != nil {
		port, err = r.exec(v, *p, ln)
		ln.from.from = r.trace.record(v.id, ln, port, err)
		return port, err
	}
	ln.from.from = r.trace.reserve(v.id, ln)
	out, err := r.loopStep(v, l, *p, ln, ln.from.from)
	r.trace.finish(ln.from.from, ln, err)
	if err != nil {
		return 0, err
	}
	*p = out
	return 0, nil
}

// loopStep runs loop node v, trace step self, turning a panic into an error.
func (r *runner) loopStep(v *vertex, l Looper, p Payload, ln *lane, self int) (out Payload, err error) {
	defer r.recoverNode(v, &err)
	return r.runLoop(v, l, p, ln, self)
}

// cap ends the branch at v, in lane l, when v is a loop cap (of iteration
// it) or a custom node cap, and reports whether it did.
func (r *runner) cap(v *vertex, p Payload, it *iteration, l *lane) bool {
	if c, ok := v.node.(LoopCap); ok && it != nil {
		it.reach(p, c)
		r.trace.record(v.id, l, 0, nil)
		r.completed()
		return true
	}
	c, ok := v.node.(CallCap)
	if !ok {
		return false
	}
	err := r.capCall(p, c)
	r.trace.record(v.id, l, 0, err)
	if err != nil {
		r.fail(v, p, err)
		return true
	}
	r.completed()
	return true
}

// capCall records the first custom node cap the run reaches.
func (r *runner) capCall(p Payload, c CallCap) error {
	port, value, hasValue, err := c.CapCall(p)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.res.Return == nil {
		r.res.Return = &CallResult{Returned: true, Port: port, Value: value, HasValue: hasValue}
	}
	return nil
}

// completed counts a path that ended normally.
func (r *runner) completed() {
	r.mu.Lock()
	r.res.PathsCompleted++
	r.mu.Unlock()
}

// exec runs one node in lane l, turning a panic into an error.
func (r *runner) exec(v *vertex, p Payload, l *lane) (port int, err error) {
	if v.err != nil {
		return 0, v.err
	}
	defer r.recoverNode(v, &err)
	return v.node.Exec(l.ctx, r.env, p)
}

// recoverNode turns a panic of node v into *err.
func (r *runner) recoverNode(v *vertex, err *error) {
	rec := recover()
	if rec == nil {
		return
	}
	*err = Errorf("Error", "node %s failed unexpectedly: %v", v.typ, rec)
	if r.env.Logger != nil {
		r.env.Logger.Error("node panicked", "node_id", v.id, "node_type", v.typ, "err", rec)
	}
}

// interrupted ends a branch stopped from outside: by another branch's
// halting error (not counted), by the run time limit (a failed path) or by
// shutdown (the run is abandoned).
func (r *runner) interrupted(v *vertex, p Payload) {
	if !errors.Is(context.Cause(r.ctx), context.DeadlineExceeded) {
		return
	}
	r.mu.Lock()
	first := !r.timedOut
	r.timedOut = true
	r.mu.Unlock()
	if first {
		r.fail(v, p, Errorf("TimeoutError", "run exceeded its time limit"))
		return
	}
	r.mu.Lock()
	r.res.PathsFailed++
	r.mu.Unlock()
}

// fail records a halting error and cancels the run's other branches.
func (r *runner) fail(v *vertex, p Payload, err error) {
	r.mu.Lock()
	r.res.PathsFailed++
	if weir.ErrorTypeOf(err) == weir.InsufficientStorage {
		r.res.StoreFull = true
	}
	if r.res.ErroredPayload == nil {
		r.res.ErroredPayload = Clone(p).(Payload)
	}
	r.res.Errors = append(r.res.Errors, weir.RunError{
		Time:          r.env.now(),
		NodeID:        v.id,
		NodeLabel:     v.label,
		NodeType:      v.typ,
		FlowVersion:   r.env.FlowVersion,
		FlowVersionID: r.env.FlowVersionID,
		Error:         details(err),
	})
	r.mu.Unlock()
	r.cancel(fmt.Errorf("%w: %w", errHalted, err))
}
