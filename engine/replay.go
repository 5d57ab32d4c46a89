package engine

import (
	"context"
	"time"

	"github.com/weirhq/weir"
)

// Replays starts runs again from the trigger payloads their log entries
// kept (weir.FlowSettings.KeepPayloads), against a flow as it is now, so
// that the two paths can be compared.
type Replays struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: flows have only develop
	Logs     weir.LogService
	Runs     weir.RunQueue
	Limiter  Limiter // nil: no rate limit; else replays of a flow count under its id + "/replay"
	Now      func() time.Time
}

// Replay is one request to replay a logged run.
type Replay struct {
	ApplicationID, FlowID string
	RunID                 string // the logged run
	// FlowVersion names the version to run (develop, a version id or
	// name); empty: the flow's default version, as its triggers run now.
	FlowVersion        string
	RelayType, RelayID string // who asked for the replay
}

// Replay durably enqueues a run of the flow's version that rp names with
// the kept payload of run rp.RunID, through the trigger that started that
// run, and returns it; its log entry names the replayed run (ReplayOf).
// Errors: NotFound for a missing flow, version or run; Validation when the
// run's payload was not kept (the flow did not keep payloads then, or the
// payload was over weir.MaxKeptPayload), when the version no longer has
// that trigger, and when the flow or version is disabled; a
// *ThrottledError over the rate limit.
func (r *Replays) Replay(ctx context.Context, rp Replay) (*weir.Run, error) {
	f, err := r.Flows.FindFlowByID(ctx, rp.ApplicationID, rp.FlowID)
	if err != nil {
		return nil, err
	}
	entries, err := r.Logs.FindLogEntries(ctx, f.ID, weir.LogFilter{RunID: rp.RunID, Limit: 1, WithPayload: true})
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, weir.Errorf(weir.NotFound, "Run was not found")
	}
	p := entries[0].Payload
	switch {
	case p == nil:
		return nil, weir.Errorf(weir.Validation, "The run's trigger payload was not kept: the flow did not keep "+
			"trigger payloads when it ran (turn on the flow's weir.keepPayloads setting)")
	case !p.Kept:
		return nil, weir.Errorf(weir.Validation, "The run's trigger payload was not kept: %s", p.Reason)
	}
	v, err := ResolveVersion(ctx, r.Versions, f, rp.FlowVersion)
	if err != nil {
		return nil, err
	}
	if !hasTrigger(v.Def, p.TriggerType, p.TriggerKey) {
		return nil, weir.Errorf(weir.Validation, "The run's trigger (%s %s) is not in version %s of the flow",
			p.TriggerType, p.TriggerKey, v.Name)
	}
	if !f.Enabled {
		return nil, weir.Errorf(weir.Validation, "The flow is disabled; enable it to replay a run")
	}
	if !v.Enabled {
		return nil, weir.Errorf(weir.Validation, "Version %s of the flow is disabled", v.Name)
	}
	if r.Limiter != nil {
		if ok, wait := r.Limiter.Allow(f.ID + "/replay"); !ok {
			return nil, &ThrottledError{RetryAfter: wait}
		}
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	run := &weir.Run{
		ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: v.Name,
		TriggerType: p.TriggerType, TriggerKey: p.TriggerKey, TriggerID: p.TriggerID,
		RelayType: rp.RelayType, RelayID: rp.RelayID, Time: time.UnixMilli(now().UnixMilli()).UTC(),
		Data: p.Data, Experience: p.Experience, Device: p.Device, ReplayOf: rp.RunID,
	}
	if err := r.Runs.EnqueueRun(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}

// hasTrigger reports whether d has a trigger of type typ with key.
func hasTrigger(d *weir.Definition, typ, key string) bool {
	for _, t := range d.Triggers {
		if t.Key == key && t.Type == typ {
			return true
		}
	}
	return false
}
