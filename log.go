package weir

import (
	"context"
	"time"
)

// LogEntry records the outcome of one run of a flow.
type LogEntry struct {
	// ID is the ID of the run the entry records (weir's own field).
	ID             string     `json:"runId,omitempty"`
	ApplicationID  string     `json:"-"`
	FlowID         string     `json:"-"`
	FlowVersion    string     `json:"-"` // version name: "develop" or the name
	FlowVersionID  string     `json:"flowVersionId"`
	Time           time.Time  `json:"time"`
	RunCount       int        `json:"runCount"`
	PathsCompleted int        `json:"pathsCompleted"`
	PathsFailed    int        `json:"pathsFailed"`
	WallTime       float64    `json:"wallTime"` // milliseconds
	Errors         []RunError `json:"errors"`
	// Trace is the path the run took (weir's own field; Losant's entries
	// have none); nil for entries recorded without one.
	Trace *RunTrace `json:"trace,omitempty"`
	// ReplayOf is the ID of the run this run replays (weir's own field);
	// empty for a run no replay started.
	ReplayOf string `json:"replayOf,omitempty"`
	// Payload is the run's trigger payload as its flow kept it (weir's own
	// field); nil when the flow keeps none. Lists of entries carry it
	// without its Data, Experience and Device (see LogFilter.WithPayload).
	Payload *RunPayload `json:"payload,omitempty"`
}

// Of returns a copy of e with the fields left empty taken from run:
// ApplicationID, FlowID, FlowVersion (DevelopVersion when run names none)
// and ID (run's, or a new one when run has none).
func (e LogEntry) Of(run *Run) *LogEntry {
	if e.ApplicationID == "" {
		e.ApplicationID = run.ApplicationID
	}
	if e.FlowID == "" {
		e.FlowID = run.FlowID
	}
	if e.FlowVersion == "" {
		e.FlowVersion = run.FlowVersion
	}
	if e.FlowVersion == "" {
		e.FlowVersion = DevelopVersion
	}
	if e.ID == "" {
		e.ID = run.ID
	}
	if e.ID == "" {
		e.ID = NewID()
	}
	return &e
}

// RunError describes a node error that ended (part of) a run.
type RunError struct {
	Time          time.Time    `json:"time"`
	NodeID        string       `json:"nodeId,omitempty"`
	NodeLabel     string       `json:"nodeLabel,omitempty"`
	NodeType      string       `json:"nodeType,omitempty"`
	FlowVersion   string       `json:"flowVersion"`
	FlowVersionID string       `json:"flowVersionId"`
	Error         ErrorDetails `json:"error"`
}

// ErrorDetails names an error class and its message, e.g. {"name":
// "Validation", "message": "Result path is required"}.
type ErrorDetails struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// LogFilter selects a flow's newest log entries.
type LogFilter struct {
	FlowVersionID string    // empty: every version
	Since         time.Time // zero: no lower bound; otherwise entries with Time >= Since
	Limit         int       // <= 0: no limit
	RunID         string    // not empty: only the entry of that run
	// WithPayload reads each entry's kept payload in full; otherwise
	// Payload holds only whether it was kept, why not, and its size.
	WithPayload bool
}

// LogService reads run logs. Entries are written by RunQueue.CompleteRun.
type LogService interface {
	// FindLogEntries returns up to filter.Limit entries of the flow, newest
	// first.
	FindLogEntries(ctx context.Context, flowID string, filter LogFilter) ([]*LogEntry, error)
}

// LogPruner removes old run log entries, so that logs do not grow without
// bound.
type LogPruner interface {
	// PruneLogEntries deletes the entries older than before (when before is
	// not zero) and, per flow, all but the newest keepPerFlow (when it is
	// positive). It returns how many entries it deleted.
	PruneLogEntries(ctx context.Context, keepPerFlow int, before time.Time) (int, error)
}
