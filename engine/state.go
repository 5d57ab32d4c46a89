package engine

import (
	"context"
	"encoding/json"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine/js"
)

// maxStateRetries bounds how often UpdateState retries a swap that lost a
// race with a concurrent run.
const maxStateRetries = 100

// UpdateState atomically replaces the node state under key with what fn
// returns for the current state (js.Undefined when absent), retrying when a
// concurrent run changed it in between. fn may run several times and must
// not have side effects. It returns the value stored, or js.Undefined when fn
// deleted the state.
//
// Called in a lane of a run, the update is an effect of the run, like a
// storage write: when the run executes again, fn gets the state the first
// execution's update replaced, and the store does not swap again, so the
// node decides as it did the first time.
func (e *Env) UpdateState(ctx context.Context, key string, fn func(cur any) (any, error)) (any, error) {
	if e.State == nil {
		return nil, Errorf("Error", "this run has no node state")
	}
	if l := laneFrom(ctx); l != nil && e.RunID != "" {
		ctx = weir.WithEffect(ctx, weir.Effect{RunID: e.RunID, Step: l.step()})
	}
	for range maxStateRetries {
		old, ok, err := e.State.NodeState(ctx, e.FlowID, key)
		if err != nil {
			return nil, err
		}
		var cur any = js.Undefined{}
		if ok {
			if cur, err = DecodeValue(old); err != nil {
				return nil, err
			}
		} else {
			old = nil
		}
		next, err := fn(cur)
		if err != nil {
			return nil, err
		}
		var nextJSON json.RawMessage
		if b, defined := js.Stringify(next, ""); defined {
			nextJSON = b
		}
		swapped, err := e.State.SwapNodeState(ctx, e.FlowID, key, old, nextJSON)
		if err != nil {
			return nil, err
		}
		if swapped {
			return next, nil
		}
	}
	return nil, Errorf("Error", "node state %q changed too often to update", key)
}
