package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// DefaultRunTimeout is how long one run may take before it is halted.
const DefaultRunTimeout = 60 * time.Second

// Executor takes accepted runs from a queue, executes them on compiled
// graphs and records each run's log entry. Open starts it; Close stops it.
type Executor struct {
	Queue        weir.RunQueue
	Flows        weir.FlowService
	Versions     weir.FlowVersionService // nil: only develop runs; runs of other versions are dropped
	Applications weir.ApplicationService
	Storage      weir.StorageService
	State        weir.NodeStateService // nil: stateful nodes fail
	Logger       *slog.Logger
	Workers      int // concurrent runs; default 64
	// FlowWorkers and ApplicationWorkers are the most runs of one flow and
	// of one application executing at once, so that one of them cannot
	// keep the others' runs waiting: defaults Workers/2 and Workers*3/4; a
	// negative value lifts the cap. They hold when Queue is a
	// weir.FairRunQueue; other queues hand out runs in their order.
	FlowWorkers        int
	ApplicationWorkers int
	RunTimeout         time.Duration // default DefaultRunTimeout
	Now                func() time.Time
	Debug              func(DebugMessage)                                                    // receives Debug node output; may be nil
	Traces             *TraceHub                                                             // gets each completed run's log entry for the live trace streams; nil: none
	Publish            func(ctx context.Context, app, flow, topic string, body []byte) error // MQTT node, for flow (an id) of app; nil: no broker
	Buttons            *Buttons                                                              // presses for Workflow Trigger nodes; nil: runs cannot start other runs
	Replies            *ReplyHub                                                             // answers waiting webhook requests; nil: replies go nowhere
	Cache              *FlowCache                                                            // flow and application rows of runs; nil: read from the store per run
	Egress             Egress                                                                // destinations the HTTP node may reach; zero: EgressLAN
	Own                *OwnListeners                                                         // weir's own listeners, never reached by the HTTP node; nil: none
	Devices            *Devices                                                              // what the device nodes reach; nil: they fail
	Events             *Events                                                               // what the event nodes reach; nil: they fail
	API                APICaller                                                             // the Losant API node's calls; nil: it fails
	Views              *Views                                                                // what page replies reach; nil: they answer 501
	Tables             *Tables                                                               // what the data table nodes reach; nil: they fail
	Experience         *Experience                                                           // what the experience nodes reach; nil: they fail
	// ExperienceVersions holds the globals of experience versions, which
	// runs an experience endpoint starts see over the application's; nil:
	// those runs see the application's alone.
	ExperienceVersions weir.ExperienceVersionService

	cache  graphCache
	shares *shares // nil: no caps
	cancel context.CancelFunc
	done   chan struct{}
	runs   sync.WaitGroup
	stop   context.CancelFunc // aborts in-flight runs
	runCtx context.Context
}

// Open starts claiming runs in the background.
func (e *Executor) Open() error {
	if e.Workers <= 0 {
		e.Workers = 64
	}
	if e.RunTimeout <= 0 {
		e.RunTimeout = DefaultRunTimeout
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	flowMax := shareOf(e.FlowWorkers, e.Workers/2, e.Workers)
	appMax := max(flowMax, shareOf(e.ApplicationWorkers, e.Workers*3/4, e.Workers))
	if _, fair := e.Queue.(weir.FairRunQueue); fair && (flowMax < e.Workers || appMax < e.Workers) {
		e.shares = newShares(flowMax, appMax)
	}
	var claimCtx context.Context
	claimCtx, e.cancel = context.WithCancel(context.Background())
	e.runCtx, e.stop = context.WithCancel(context.Background())
	e.done = make(chan struct{})
	go e.loop(claimCtx)
	return nil
}

// AbandonWait is how long Close waits, once its context ended, for the
// runs it interrupted to unwind before it returns without them.
const AbandonWait = time.Second

// Close stops claiming new runs and waits for in-flight runs to finish. When
// ctx ends first, the remaining runs are interrupted without being
// completed, so the queue offers them again later; Close waits at most
// AbandonWait more for them to unwind, then returns ctx's error even if a
// node that ignores its context still holds a run: that run is left to the
// process's exit, and its queue offers it again.
func (e *Executor) Close(ctx context.Context) error {
	if e.cancel == nil {
		return nil
	}
	e.cancel()
	<-e.done
	finished := make(chan struct{})
	go func() { e.runs.Wait(); close(finished) }()
	select {
	case <-finished:
		e.stop()
		return nil
	case <-ctx.Done():
	}
	e.stop()
	t := time.NewTimer(AbandonWait)
	defer t.Stop()
	select {
	case <-finished:
	case <-t.C:
		e.Logger.Warn("runs still running after the shutdown timeout were left behind; they run again later")
	}
	return ctx.Err()
}

// loop claims runs while worker slots are free and runs each in its own
// goroutine. Only loop takes slots, so the free count it measures can only
// grow until it takes them.
func (e *Executor) loop(ctx context.Context) {
	defer close(e.done)
	slots := make(chan struct{}, e.Workers)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		runs, err := e.claim(ctx, 1+cap(slots)-len(slots))
		if err != nil || len(runs) == 0 {
			<-slots
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				e.Logger.Error("claim runs", "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		for range runs[1:] {
			slots <- struct{}{}
		}
		for _, run := range runs {
			e.runs.Add(1)
			if e.shares != nil {
				e.shares.start(run)
			}
			go func() {
				defer func() {
					if e.shares != nil {
						e.shares.done(run)
					}
					<-slots
					e.runs.Done()
				}()
				e.execute(run)
			}()
		}
	}
}

// claim claims up to n runs. With shares, it leaves waiting the runs of
// the flows and applications executing their share already, and takes no
// more of one than its share allows; a claim waiting while one of those
// falls below its share returns nothing, for the next to ask again.
func (e *Executor) claim(ctx context.Context, n int) ([]*weir.Run, error) {
	if e.shares == nil {
		return e.Queue.ClaimRuns(ctx, n)
	}
	skip, n, changed := e.shares.skip(n)
	if len(skip.Flows) == 0 && len(skip.Applications) == 0 {
		changed = nil // nothing skipped: a change cannot make more claimable
	}
	claimCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if changed != nil {
		go func() {
			select {
			case <-changed:
				cancel()
			case <-claimCtx.Done():
			}
		}()
	}
	runs, err := e.Queue.(weir.FairRunQueue).ClaimRunsSkipping(claimCtx, n, skip)
	if err != nil && ctx.Err() == nil && claimCtx.Err() != nil {
		return nil, nil // a share changed: claim again
	}
	return runs, err
}

// shareOf is the run cap an Executor field sets: def when unset, no cap
// (workers) when negative.
func shareOf(v, def, workers int) int {
	switch {
	case v == 0:
		return max(1, def)
	case v < 0 || v > workers:
		return workers
	}
	return v
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// execute runs one claimed run and completes it. A run abandoned by shutdown
// is left uncompleted, and so is a run that failed to execute for a reason
// that may pass (the store did not answer): its queue offers it again. A run
// that cannot execute (it does not decode, its flow does not compile) or was
// delivered weir.MaxRunAttempts times already is recorded as failed instead.
func (e *Executor) execute(run *weir.Run) {
	log := runLogger(e.Logger, slog.String("run_id", run.ID), slog.String("flow_id", run.FlowID),
		slog.String("app_id", run.ApplicationID))
	if failure := poisoned(run); failure != nil {
		e.giveUp(run, log, failure)
		return
	}
	entry, err := e.runOnce(run, log)
	if err != nil {
		var pe *permanentError
		switch {
		case e.runCtx.Err() != nil:
			log.Info("run abandoned by shutdown; it will run again")
		case errors.As(err, &pe):
			e.giveUp(run, log, &weir.ErrorDetails{Name: "RunError", Message: pe.Error()})
		default:
			// Left leased, it is offered again when the lease expires, up
			// to MaxRunAttempts deliveries in all.
			log.Error("run failed to execute; it will be retried", "err", err, "attempt", run.Attempt+1,
				"max_attempts", weir.MaxRunAttempts)
		}
		return
	}
	if err := e.Queue.CompleteRun(context.Background(), run, entry); err != nil {
		log.Error("complete run", "err", err)
		return
	}
	if e.Traces != nil && entry != nil {
		e.Traces.Publish(entry)
	}
}

// permanentError is a reason a run cannot execute that executing it again
// would meet again.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// poisoned returns why run must not be executed, or nil: the queue could not
// decode it, or it was delivered MaxRunAttempts times without completing.
func poisoned(run *weir.Run) *weir.ErrorDetails {
	switch {
	case run.DecodeError != "":
		return &weir.ErrorDetails{Name: "RunDecodeError",
			Message: "the stored run could not be read, so it was not executed: " + run.DecodeError}
	case run.Attempt >= weir.MaxRunAttempts:
		return &weir.ErrorDetails{Name: "RunAttemptsExceeded", Message: fmt.Sprintf(
			"the run was started %d times and never finished (the process executing it stopped, "+
				"or the run could not be executed: see the server log); it is not retried again", run.Attempt)}
	}
	return nil
}

// giveUp records run as failed with one run error, failure, and removes it
// from the queue.
func (e *Executor) giveUp(run *weir.Run, log *slog.Logger, failure *weir.ErrorDetails) {
	log.Error("run recorded as failed without executing", "error_name", failure.Name, "err", failure.Message,
		"attempt", run.Attempt+1)
	now := e.Now()
	entry := &weir.LogEntry{
		ID: run.ID, ApplicationID: run.ApplicationID, FlowID: run.FlowID, FlowVersion: run.FlowVersion,
		Time: now, RunCount: 1, PathsFailed: 1, ReplayOf: run.ReplayOf,
		Errors: []weir.RunError{{Time: now, FlowVersion: run.FlowVersion, Error: *failure}},
	}
	if entry.FlowVersion == "" {
		entry.FlowVersion = weir.DevelopVersion
		entry.Errors[0].FlowVersion = weir.DevelopVersion
	}
	if err := e.Queue.CompleteRun(context.Background(), run, entry); err != nil {
		log.Error("record failed run", "err", err)
	}
}

// runOnce executes run and returns its log entry, or nil when the run does
// not execute (its flow or version was deleted or disabled meanwhile).
func (e *Executor) runOnce(run *weir.Run, log *slog.Logger) (*weir.LogEntry, error) {
	ctx := e.runCtx
	pr, err := e.prepare(ctx, run)
	if err != nil || pr == nil {
		return nil, err
	}
	env := e.env(run, pr.versionID, log)
	env.Storage = e.runStorage(run)
	env.State = e.State
	env.Devices, env.Events, env.API = e.Devices, e.Events, e.API
	env.Own = e.Own
	env.Views = e.Views
	env.Tables = e.Tables
	env.Experience = e.Experience
	if e.Buttons != nil {
		env.Press = e.Buttons.Press
	}
	if e.Publish != nil {
		env.Publish = func(ctx context.Context, topic string, payload []byte) error {
			return e.Publish(ctx, run.ApplicationID, run.FlowID, topic, payload)
		}
	}
	env.Call = func(ctx context.Context, c Call) (CallResult, error) { return e.call(ctx, env, c) }
	if e.Replies != nil {
		env.Reply = e.Replies.Deliver
	}
	runCtx, cancel := context.WithTimeout(ctx, e.RunTimeout)
	defer cancel()
	start := e.Now()
	res, err := pr.graph.Run(runCtx, env, run.TriggerKey, pr.payload)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		log.Warn("trigger no longer in flow; run dropped", "trigger_key", run.TriggerKey)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if res.StoreFull {
		// Recording the run as failed would lose it; left leased, it is
		// offered again (its completed writes are not repeated).
		return nil, weir.Errorf(weir.InsufficientStorage, "the store had no space left for a write of the run")
	}
	e.fireFlowErrors(ctx, run, pr.flow, res, log)
	return logEntry(run, pr.flow, env, start, res), nil
}

// prepared is what executing a run needs: its flow, the compiled graph of
// its version and its payload.
type prepared struct {
	flow      *weir.Flow
	versionID string
	graph     *Graph
	payload   Payload
}

// prepare reads and compiles what run executes on. It returns nil when the
// run does not execute (its flow, application or version was deleted or
// disabled meanwhile), and a *permanentError when it never can.
func (e *Executor) prepare(ctx context.Context, run *weir.Run) (*prepared, error) {
	flow, err := e.findFlow(ctx, run.ApplicationID, run.FlowID)
	if weir.ErrorTypeOf(err) == weir.NotFound || (err == nil && !flow.Enabled) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	app, err := e.findApplication(ctx, run.ApplicationID)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	versionID, def, err := e.definition(ctx, run, flow)
	if err != nil || def == nil {
		return nil, err
	}
	g, err := e.cache.get(flow.ID, versionID, def)
	if err != nil {
		return nil, &permanentError{err}
	}
	var versionGlobals []weir.Global
	if len(run.Experience) > 0 && e.ExperienceVersions != nil {
		v, err := e.ExperienceVersions.FindExperienceVersion(ctx, run.ApplicationID)
		if err != nil {
			return nil, err
		}
		versionGlobals = v.Globals
	}
	p, err := NewPayload(run, app, flow, def, versionGlobals)
	if err != nil {
		return nil, &permanentError{fmt.Errorf("the run's data cannot be read: %w", err)}
	}
	return &prepared{flow: flow, versionID: versionID, graph: g, payload: p}, nil
}

// env returns the environment of run, of version versionID, with what every
// run reaches; the caller adds the rest.
func (e *Executor) env(run *weir.Run, versionID string, log *slog.Logger) *Env {
	return &Env{
		RunID: run.ID, ApplicationID: run.ApplicationID, FlowID: run.FlowID,
		FlowVersion: run.FlowVersion, FlowVersionID: versionID, Origin: cmp.Or(run.Origin, run.ID), Depth: run.Depth,
		Debug: e.Debug, Now: e.Now, Logger: log, Egress: e.Egress,
	}
}

// logEntry is the log entry of run of flow, executed in env from start with
// res; it keeps the run's payload when the flow says so.
func logEntry(run *weir.Run, flow *weir.Flow, env *Env, start time.Time, res *Result) *weir.LogEntry {
	var kept *weir.RunPayload
	if flow.Weir.KeepPayloads {
		kept = weir.KeepRunPayload(run)
	}
	return &weir.LogEntry{
		ID:             run.ID,
		ApplicationID:  run.ApplicationID,
		FlowID:         run.FlowID,
		FlowVersion:    run.FlowVersion,
		FlowVersionID:  env.FlowVersionID,
		Time:           start,
		RunCount:       1,
		PathsCompleted: res.PathsCompleted,
		PathsFailed:    res.PathsFailed,
		WallTime:       float64(res.WallTime.Microseconds()) / 1000,
		Errors:         res.Errors,
		Trace:          res.Trace,
		ReplayOf:       run.ReplayOf,
		Payload:        kept,
	}
}

// findFlow reads a run's flow, through the cache when there is one.
func (e *Executor) findFlow(ctx context.Context, applicationID, flowID string) (*weir.Flow, error) {
	if e.Cache != nil {
		return e.Cache.Flow(ctx, applicationID, flowID)
	}
	return e.Flows.FindFlowByID(ctx, applicationID, flowID)
}

// findApplication reads a run's application, through the cache when there
// is one.
func (e *Executor) findApplication(ctx context.Context, id string) (*weir.Application, error) {
	if e.Cache != nil {
		return e.Cache.Application(ctx, id)
	}
	return e.Applications.FindApplicationByID(ctx, id)
}

// runStorage returns the storage run's nodes use: Storage, with each write
// named as an effect of run so that it applies once however often run
// executes.
func (e *Executor) runStorage(run *weir.Run) weir.StorageService {
	if e.Storage == nil {
		return nil
	}
	return &effectStorage{StorageService: e.Storage, runID: run.ID}
}

// definition returns the id and definition of the version run names:
// develop's is the flow's own. A nil definition means the version no longer
// exists or is disabled, and the run is dropped.
func (e *Executor) definition(ctx context.Context, run *weir.Run, flow *weir.Flow) (string, *weir.Definition, error) {
	named := run.FlowVersion
	if named == "" {
		named = weir.DevelopVersion
	}
	v, err := ResolveVersion(ctx, e.Versions, flow, named)
	if weir.ErrorTypeOf(err) == weir.NotFound || err == nil && !v.Enabled {
		return "", nil, nil
	} else if err != nil {
		return "", nil, err
	}
	return v.ID, v.Def, nil
}

// graphCache keeps the compiled graph of each flow version until its
// definition changes. Definitions are compared by a hash of their JSON form, since two
// edits may share a LastUpdated millisecond.
type graphCache struct {
	mu sync.Mutex
	m  map[string]cachedGraph
}

type cachedGraph struct {
	sum   string
	graph *Graph
}

// definitionSum identifies def's content: the hash a store set when it
// decoded it, else a hash of its JSON form.
func definitionSum(def *weir.Definition) (string, error) {
	if def.Hash != "" {
		return def.Hash, nil
	}
	text, err := json.Marshal(def)
	if err != nil {
		return "", fmt.Errorf("hash flow definition: %w", err)
	}
	h := fnv.New64a()
	h.Write(text)
	return strconv.FormatUint(h.Sum64(), 16), nil
}

// get returns the compiled graph of def, version versionID of flowID.
func (c *graphCache) get(flowID, versionID string, def *weir.Definition) (*Graph, error) {
	sum, err := definitionSum(def)
	if err != nil {
		return nil, err
	}
	key := flowID + "/" + versionID
	c.mu.Lock()
	defer c.mu.Unlock()
	if cg, ok := c.m[key]; ok && cg.sum == sum {
		return cg.graph, nil
	}
	g, err := Compile(def)
	if err != nil {
		return nil, fmt.Errorf("compile flow: %w", err)
	}
	if c.m == nil {
		c.m = map[string]cachedGraph{}
	}
	c.m[key] = cachedGraph{sum, g}
	return g, nil
}
