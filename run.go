package weir

import (
	"context"
	"encoding/json"
	"slices"
	"time"
)

// Run is one accepted trigger event waiting to execute: everything needed to
// build the run's payload, captured when the event was accepted.
type Run struct {
	ID            string          `json:"id"`
	ApplicationID string          `json:"applicationId"`
	FlowID        string          `json:"flowId"`
	FlowVersion   string          `json:"flowVersion"` // version name, DevelopVersion for develop
	TriggerType   string          `json:"triggerType"`
	TriggerKey    string          `json:"triggerKey"` // key of the trigger that fired
	TriggerID     string          `json:"triggerId"`
	RelayType     string          `json:"relayType,omitempty"`
	RelayID       string          `json:"relayId,omitempty"`
	Time          time.Time       `json:"time"`
	Data          json.RawMessage `json:"data"`
	// Experience is the payload's root experience object of an endpoint
	// run ({endpoint, user, version}); empty for other triggers.
	Experience json.RawMessage `json:"experience,omitempty"`
	// Device holds the payload's root device fields of a device-triggered
	// run, an object ({deviceId, deviceName, deviceTags}); empty for other
	// triggers.
	Device  json.RawMessage `json:"device,omitempty"`
	Attempt int             `json:"attempt"` // deliveries before this one
	// Origin is the ID of the run that started the chain of Workflow
	// Trigger presses this run belongs to; empty for a run no Workflow
	// Trigger node started. Depth counts the presses from the origin.
	Origin string `json:"origin,omitempty"`
	Depth  int    `json:"depth,omitempty"`
	// ReplayOf is the ID of the logged run whose kept payload this run
	// replays; empty for a run no replay started.
	ReplayOf string `json:"replayOf,omitempty"`

	// DecodeError says why the queue could not decode the run as stored;
	// empty for a run that decoded. Such a run carries only ID and what the
	// queue could still read of ApplicationID and FlowID, and is never
	// executed: the executor records it as failed.
	DecodeError string `json:"-"`
}

// MaxRunAttempts is how many times a run is delivered for execution at
// most. A run delivered that often without completing (the process
// executing it was killed or crashed each time, or the run could not be
// executed) is not executed again: the executor records it as failed, with
// a RunAttemptsExceeded error in its log entry.
const MaxRunAttempts = 5

// UndecodableRun returns the run a queue hands out for a stored body that
// does not decode (with decodeErr): its ID and, when they can still be read
// from body, its application and flow IDs. It returns nil when not even the
// ID can be read.
func UndecodableRun(body []byte, decodeErr error) *Run {
	var ids struct {
		ID            string `json:"id"`
		ApplicationID string `json:"applicationId"`
		FlowID        string `json:"flowId"`
	}
	r := &Run{DecodeError: decodeErr.Error()}
	if err := json.Unmarshal(body, &ids); err == nil {
		r.ID, r.ApplicationID, r.FlowID = ids.ID, ids.ApplicationID, ids.FlowID
	} else {
		// One field of the wrong type fails the whole decode; read the
		// ID fields one by one.
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) == nil {
			_ = json.Unmarshal(fields["id"], &r.ID)
			_ = json.Unmarshal(fields["applicationId"], &r.ApplicationID)
			_ = json.Unmarshal(fields["flowId"], &r.FlowID)
		}
	}
	if r.ID == "" {
		return nil
	}
	return r
}

// RunQueue durably hands accepted runs to executors.
type RunQueue interface {
	// EnqueueRun stores run. Once it returns nil the run executes at least
	// once, even if the process dies right after. A store may refuse runs
	// with Unavailable when too many are waiting.
	EnqueueRun(ctx context.Context, run *Run) error

	// ClaimRuns blocks until at least one run is ready, then leases up to max
	// runs to the caller. A leased run that is never completed is offered
	// again after its lease expires or the queue is reopened.
	ClaimRuns(ctx context.Context, max int) ([]*Run, error)

	// CompleteRun atomically records entry, counts it in the flow's stats and
	// removes run from the queue. With a nil entry, or when the run's flow was
	// deleted meanwhile, the run is just removed.
	CompleteRun(ctx context.Context, run *Run, entry *LogEntry) error
}

// RunSkip names the flows and applications whose runs a claim leaves
// waiting.
type RunSkip struct {
	Flows        []string
	Applications []string
}

// Skips reports whether s names r's flow or application.
func (s RunSkip) Skips(r *Run) bool {
	return slices.Contains(s.Flows, r.FlowID) || slices.Contains(s.Applications, r.ApplicationID)
}

// FairRunQueue is a RunQueue that can leave the runs of some flows and
// applications waiting, so that an executor can share its workers among
// flows: while one flow has as many runs executing as it may, the runs of
// the others are claimed past its waiting ones.
type FairRunQueue interface {
	RunQueue

	// ClaimRunsSkipping is ClaimRuns handing out no run of skip's flows and
	// applications: those stay waiting, in their order, for later claims.
	ClaimRunsSkipping(ctx context.Context, max int, skip RunSkip) ([]*Run, error)
}
