package weir

import (
	"context"
	"encoding/json"
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
