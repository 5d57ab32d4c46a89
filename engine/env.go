package engine

import (
	"log/slog"
	"time"

	"github.com/weirhq/weir"
)

// Env is what one run may reach: its identity, the flow's storage and the
// debug stream. It is shared by all branches of the run.
type Env struct {
	RunID         string
	ApplicationID string
	FlowID        string
	FlowVersion   string // version name, weir.DevelopVersion for develop
	FlowVersionID string
	Storage       weir.StorageService
	Debug         func(DebugMessage) // may be nil
	Now           func() time.Time
	Logger        *slog.Logger
}

// DebugMessage is what a Debug node emits to the flow's debug stream.
type DebugMessage struct {
	Time          time.Time `json:"time"`
	FlowID        string    `json:"flowId"`
	FlowVersion   string    `json:"flowVersion"`
	FlowVersionID string    `json:"flowVersionId"`
	RunID         string    `json:"runId"`
	NodeID        string    `json:"nodeId"`
	NodeLabel     string    `json:"nodeLabel"`
	Level         string    `json:"level"`
	Message       string    `json:"message"`
	Property      string    `json:"property"`
	Payload       any       `json:"payload"`
}

// Emit sends m to the debug stream, filling in the run's identity.
func (e *Env) Emit(m DebugMessage) {
	if e.Debug == nil {
		return
	}
	m.Time = e.now()
	m.FlowID, m.FlowVersion, m.FlowVersionID, m.RunID = e.FlowID, e.FlowVersion, e.FlowVersionID, e.RunID
	e.Debug(m)
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Debugging reports whether anyone receives debug messages, so that nodes can
// skip building them.
func (e *Env) Debugging() bool { return e.Debug != nil }
