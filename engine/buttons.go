package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// TriggerVirtualButton is the type of a virtual button trigger.
const TriggerVirtualButton = "virtualButton"

// Limiter decides whether one more use of a key is allowed now and, if not,
// how long to wait.
type Limiter interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
}

// ThrottledError is returned by a press over the rate limit. It unwraps to a
// TooManyRequests application error.
type ThrottledError struct {
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("over rate limit, retry after %s", e.RetryAfter)
}

// Unwrap returns the application error clients see.
func (e *ThrottledError) Unwrap() error {
	return weir.Errorf(weir.TooManyRequests, "Over rate limit, request throttled")
}

// Buttons presses virtual buttons: the REST press and the Workflow Trigger
// node share it, so both resolve versions, keys, default payloads and rate
// limits alike.
type Buttons struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: flows have only develop
	Runs     weir.RunQueue
	Limiter  Limiter // nil: no rate limit
	Now      func() time.Time
	Cache    *FlowCache // reads flows; nil: from Flows per press

	chains chainCounts
}

// Press durably enqueues one run of the button and returns it. The version
// is the one p names (develop, a version id or a name), else the flow's
// default version. A disabled flow or version runs nothing: Press returns a
// nil run and no error. Errors: NotFound for a missing flow, version or
// button; a *ThrottledError over the rate limit; Validation when the
// button's default payload is not JSON; a ChainLimitError NodeError for a
// press of a Workflow Trigger chain past MaxChainDepth or MaxChainRuns.
func (b *Buttons) Press(ctx context.Context, p Press) (*weir.Run, error) {
	var f *weir.Flow
	var err error
	if b.Cache != nil {
		f, err = b.Cache.Flow(ctx, p.ApplicationID, p.FlowID)
	} else {
		f, err = b.Flows.FindFlowByID(ctx, p.ApplicationID, p.FlowID)
	}
	if err != nil {
		return nil, err
	}
	v, err := ResolveVersion(ctx, b.Versions, f, p.FlowVersion)
	if err != nil {
		return nil, err
	}
	name, enabled := v.Name, v.Enabled
	trig := findButton(v.Def, p.Key)
	if trig == nil {
		return nil, weir.Errorf(weir.NotFound, "Virtual button was not found")
	}
	if !f.Enabled || !enabled {
		return nil, nil
	}
	if b.Limiter != nil {
		if ok, wait := b.Limiter.Allow(f.ID + "/" + p.Key); !ok {
			return nil, &ThrottledError{RetryAfter: wait}
		}
	}
	data, err := buttonData(p.Data, trig)
	if err != nil {
		return nil, err
	}
	if p.Origin != "" {
		if err := b.checkChain(p); err != nil {
			return nil, err
		}
	}
	run := &weir.Run{
		ID:            weir.NewID(),
		ApplicationID: f.ApplicationID,
		FlowID:        f.ID,
		FlowVersion:   name,
		TriggerType:   TriggerVirtualButton,
		TriggerKey:    p.Key,
		TriggerID:     p.Key,
		RelayType:     p.RelayType,
		RelayID:       p.RelayID,
		Time:          time.UnixMilli(b.now().UnixMilli()).UTC(),
		Data:          data,
		Origin:        p.Origin,
		Depth:         p.Depth,
	}
	if err := b.Runs.EnqueueRun(ctx, run); err != nil {
		if p.Origin != "" {
			b.chains.give(p.Origin) // no run started
		}
		return nil, err
	}
	return run, nil
}

// checkChain refuses a press that would take its Workflow Trigger chain past
// its bounds, and counts it otherwise.
func (b *Buttons) checkChain(p Press) error {
	if p.Depth > MaxChainDepth {
		return Errorf("ChainLimitError", "this run is %d Workflow Trigger presses away from the run that "+
			"started the chain; at most %d are allowed (does a flow trigger itself?)", p.Depth-1, MaxChainDepth)
	}
	if !b.chains.take(p.Origin, b.now()) {
		return Errorf("ChainLimitError", "the chain of Workflow Trigger presses started by run %s has "+
			"started %d runs already, the most one chain may start (does a flow trigger itself?)", p.Origin, MaxChainRuns)
	}
	return nil
}

func (b *Buttons) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// findButton returns the definition's virtual button trigger with key, or
// nil.
func findButton(d *weir.Definition, key string) *weir.Trigger {
	for i := range d.Triggers {
		t := &d.Triggers[i]
		if t.Type == TriggerVirtualButton && t.Key == key {
			return t
		}
	}
	return nil
}

// buttonData is the run's data: the pressed payload when given (any JSON,
// null included), else the button's meta.payload text parsed as JSON, else
// {}.
func buttonData(given json.RawMessage, t *weir.Trigger) (json.RawMessage, error) {
	if given != nil {
		var buf bytes.Buffer
		if err := json.Compact(&buf, given); err != nil {
			return nil, weir.Errorf(weir.Validation, "button.payload is the wrong type")
		}
		return buf.Bytes(), nil
	}
	var meta struct {
		Payload string `json:"payload"`
	}
	if len(t.Meta) > 0 {
		_ = json.Unmarshal(t.Meta, &meta)
	}
	text := bytes.TrimSpace([]byte(meta.Payload))
	if len(text) == 0 {
		return json.RawMessage(`{}`), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, text); err != nil {
		return nil, weir.Errorf(weir.Validation, "the button's default payload is not valid JSON; send a payload")
	}
	return buf.Bytes(), nil
}
