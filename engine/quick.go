package engine

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// DefaultQuickBudget is how long a run executed as it is accepted may take
// unless QuickRuns.Budget says otherwise; a run still going then is queued
// instead.
const DefaultQuickBudget = time.Second

// QuickBackoff is how long the runs of a flow version are queued without
// being tried at once after one of them took longer than its budget: its
// execution was wasted, and on a busy machine the next would likely be too.
const QuickBackoff = 10 * time.Second

// Contained is implemented by nodes that reach nothing beyond their run
// but the flow's storage (Env.Storage), the reply to the request that
// started the run (Env.Reply) and the debug stream (Env.Emit). A flow whose
// triggers reach only such nodes can execute a run before it is accepted
// (QuickRuns).
type Contained interface {
	Node
	Contained()
}

// errNotQuick stops a run executed as it is accepted that reached for
// something it could not stage (another flow's storage, all of the flow's
// keys, another request's reply); the run is queued instead.
var errNotQuick = errors.New("engine: the run cannot execute before it is queued")

// errQuickBudget stops a run executed as it is accepted that took longer
// than its budget; the run is queued instead.
var errQuickBudget = errors.New("engine: the run took longer than its budget to execute before it is queued")

// QuickRuns is the weir.RunQueue of accepted trigger events that executes a
// run at once, before anything of it is stored, when its flow reaches only
// Contained nodes, and then commits the whole run (storage writes, log
// entry, stats) in one write of Commits: EnqueueRun returns nil once that
// write is committed, so an answer sent after it still means the run is
// stored, and a process killed before it leaves nothing of the run behind.
// The run's storage writes are staged in memory meanwhile; its reads see the
// writes of earlier runs not yet committed and are checked when it commits.
// The run's reply, debug messages and trace are handed on after the commit.
//
// A run that cannot execute so (its flow reaches other nodes, it fails, it
// reaches for something it cannot stage, it takes longer than Budget, or
// its commit finds a value it read changed, twice: after the first it
// executes at once again) leaves nothing behind and goes to the wrapped
// queue, where the Executor executes it as any queued run.
type QuickRuns struct {
	weir.RunQueue                   // where runs that do not execute at once are queued
	Executor      *Executor         // whose flows, caches, debug stream, replies and traces runs use; open
	Commits       weir.RunCommitter // the store committing runs executed at once
	Budget        time.Duration     // default DefaultQuickBudget, at most the Executor's RunTimeout
	Max           int               // runs executing at once this way; default the Executor's Workers
	Logger        *slog.Logger      // nil: the Executor's

	once    sync.Once
	slots   chan struct{}
	pending pendingKeys
}

// EnqueueRun executes run at once and commits it when it can, else queues
// it on the wrapped queue (see QuickRuns). Either way it returns nil only
// once the run is stored.
func (q *QuickRuns) EnqueueRun(ctx context.Context, run *weir.Run) error {
	if q.runNow(ctx, run) {
		return nil
	}
	return q.RunQueue.EnqueueRun(ctx, run)
}

// runNow executes run and commits it, and reports whether it did; when it
// did not, nothing of the run was stored or sent.
func (q *QuickRuns) runNow(ctx context.Context, run *weir.Run) bool {
	x := q.Executor
	if q.Commits == nil || x == nil || x.runCtx == nil || x.Storage == nil || run.ID == "" || run.Attempt != 0 ||
		run.Origin != "" || run.DecodeError != "" {
		return false // runs of a Workflow Trigger chain go on through the queue, as their presses are counted
	}
	q.once.Do(func() { q.slots = make(chan struct{}, cmpPositive(q.Max, x.Workers)) })
	select {
	case q.slots <- struct{}{}:
		defer func() { <-q.slots }()
	default:
		return false
	}
	// A run whose commit found a value it read changed (a queued run or
	// the API wrote it meanwhile) executes at once once more, on the
	// values as they are now, before it is queued.
	for range 2 {
		pr, err := x.prepare(ctx, run)
		if err != nil || pr == nil || !pr.graph.contained || x.Now().UnixNano() < pr.graph.quickAfter.Load() {
			return false
		}
		if done, err := q.attempt(ctx, run, pr); done || !errors.Is(err, weir.ErrStaleRead) {
			return done
		}
	}
	return false
}

// attempt executes run on pr and commits it, and reports whether it did;
// when it did not, nothing of the run was stored or sent, and err says why
// the commit failed, if it was submitted.
func (q *QuickRuns) attempt(ctx context.Context, run *weir.Run, pr *prepared) (bool, error) {
	x := q.Executor
	log := runLogger(cmpLogger(q.Logger, x.Logger), slog.String("run_id", run.ID), slog.String("flow_id", run.FlowID),
		slog.String("app_id", run.ApplicationID))
	budget := cmpPositive(q.Budget, DefaultQuickBudget)
	if x.RunTimeout > 0 && x.RunTimeout < budget {
		budget = x.RunTimeout
	}
	runCtx, cancel := context.WithCancelCause(x.runCtx)
	defer cancel(nil)
	stop := time.AfterFunc(budget, func() { cancel(errQuickBudget) })
	defer stop.Stop()
	r := &quickRun{q: q, flowID: run.FlowID, base: x.Storage, cancel: cancel, replies: x.Replies}
	env := x.env(run, pr.versionID, log)
	r.equip(env, x.Debug != nil)
	start := x.Now()
	res, err := pr.graph.Run(runCtx, env, run.TriggerKey, pr.payload)
	if err != nil || runCtx.Err() != nil || res.PathsFailed > 0 || res.StoreFull || r.stopped() {
		// A failed run is queued so that it fails there as any run does
		// (its writes before the failure kept, flowError handlers fired).
		if errors.Is(context.Cause(runCtx), errQuickBudget) {
			pr.graph.quickAfter.Store(x.Now().Add(QuickBackoff).UnixNano())
			log.Debug("run took longer than its budget to execute at once; queued, and so are the flow's next runs for a while",
				"budget", budget, "backoff", QuickBackoff)
		}
		return false, nil
	}
	entry := logEntry(run, pr.flow, env, start, res)
	if err := r.commit(ctx, run, entry); err != nil {
		log.Debug("run not committed as executed", "err", err)
		return false, err
	}
	r.handOn(entry)
	return true, nil
}

// quickRun is one run executing before it is accepted: its staged storage,
// and the reply and debug messages it holds back until it commits.
type quickRun struct {
	q       *QuickRuns
	flowID  string
	base    weir.StorageService
	replies *ReplyHub
	cancel  context.CancelCauseFunc

	mu      sync.Mutex // branches of the run run concurrently
	keys    map[string]*weir.StagedKey
	order   []string
	replyID string
	reply   *Reply
	debug   []DebugMessage
	abort   bool
}

// equip gives env the run's staged storage, its held-back reply and debug
// stream, and hooks that stop the run if it reaches for anything else.
func (r *quickRun) equip(env *Env, debugging bool) {
	env.Storage = &stagedStorage{r: r}
	env.Reply = r.holdReply
	if debugging {
		env.Debug = func(m DebugMessage) {
			r.mu.Lock()
			r.debug = append(r.debug, m)
			r.mu.Unlock()
		}
	} else {
		env.Debug = nil
	}
	env.Press = func(context.Context, Press) (*weir.Run, error) { return nil, r.stop() }
	env.Publish = func(context.Context, string, []byte) error { return r.stop() }
	env.Call = func(context.Context, Call) (CallResult, error) { return CallResult{}, r.stop() }
}

// stop gives up executing the run at once and returns errNotQuick.
func (r *quickRun) stop() error {
	r.mu.Lock()
	r.abort = true
	r.mu.Unlock()
	r.cancel(errNotQuick)
	return errNotQuick
}

// stopped reports whether stop was called.
func (r *quickRun) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.abort
}

// holdReply keeps the first reply to a request waiting in this process,
// to be delivered once the run is committed. As ReplyHub.Deliver, it
// returns NotFound for a request nobody waits for or that has its reply.
// A reply to a second request stops the run.
func (r *quickRun) holdReply(replyID string, rep Reply) error {
	r.mu.Lock()
	held := r.reply != nil
	same := replyID == r.replyID
	r.mu.Unlock()
	if r.replies == nil || !r.replies.waits(replyID) || held && same {
		return weir.Errorf(weir.NotFound, "No request is waiting for reply %s", replyID)
	}
	if held {
		return r.stop()
	}
	r.mu.Lock()
	r.replyID, r.reply = replyID, &rep
	r.mu.Unlock()
	return nil
}

// commit submits the run's storage keys and entry, publishing its writes to
// later runs meanwhile, and waits for the outcome.
func (r *quickRun) commit(ctx context.Context, run *weir.Run, entry *weir.LogEntry) error {
	c := &weir.RunCommit{Run: run, Entry: entry, Keys: make([]weir.StagedKey, 0, len(r.order))}
	for _, k := range r.order {
		c.Keys = append(c.Keys, *r.keys[k])
	}
	return r.q.pending.commit(ctx, r, r.q.Commits, c)
}

// handOn delivers what the committed run held back: its debug messages,
// its reply and its trace.
func (r *quickRun) handOn(entry *weir.LogEntry) {
	x := r.q.Executor
	for _, m := range r.debug {
		x.Debug(m)
	}
	if r.reply != nil {
		_ = r.replies.Deliver(r.replyID, *r.reply) // a request that stopped waiting gets nothing, as for any run
	}
	if x.Traces != nil {
		x.Traces.Publish(entry)
	}
}

// cmpPositive returns v when positive, else def.
func cmpPositive[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// cmpLogger returns l, else def.
func cmpLogger(l, def *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return def
}
