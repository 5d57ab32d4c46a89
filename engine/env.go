package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/weirhq/weir"
)

// Env is what one run may reach: its identity, the flow's storage, the
// debug stream, and the hooks through which nodes start other runs or answer
// waiting requests. It is shared by all branches of the run.
type Env struct {
	RunID         string
	ApplicationID string
	FlowID        string
	FlowVersion   string // version name, weir.DevelopVersion for develop
	FlowVersionID string
	// Origin and Depth place the run in its chain of Workflow Trigger
	// presses: the ID of the run that started the chain (the run's own when
	// no Workflow Trigger node started it) and the presses since.
	Origin  string
	Depth   int
	Storage weir.StorageService
	State   weir.NodeStateService // latch, throttle and on-change state; may be nil
	Debug   func(DebugMessage)    // may be nil
	Now     func() time.Time
	Logger  *slog.Logger

	// Press presses a virtual button of a flow of the same application (the
	// Workflow Trigger node). Nil when the run cannot start other runs.
	Press func(ctx context.Context, p Press) (*weir.Run, error)
	// Reply answers the waiting HTTP request replyID (Webhook Reply and
	// Endpoint Reply nodes); it returns NotFound when nobody waits for it
	// any more. Nil when the run cannot reply.
	Reply func(replyID string, r Reply) error
	// Publish sends an MQTT message to the server's broker (the MQTT node)
	// on behalf of the run's flow: the MQTT topic triggers it fires get
	// relay {type: flow, id: FlowID}. Nil when no broker is configured.
	Publish func(ctx context.Context, topic string, payload []byte) error
	// Call runs a custom node flow synchronously (the Custom Node node).
	// Nil when the run cannot call custom nodes.
	Call func(ctx context.Context, c Call) (CallResult, error)
	// Egress is the policy for the destinations the HTTP node may reach.
	Egress Egress
	// Own are weir's own listeners, which the HTTP node never reaches
	// whatever Egress says; nil for none.
	Own *OwnListeners
	// Devices reaches the application's devices (the device nodes). Nil
	// when the run cannot.
	Devices *Devices

	// Events reaches the application's events (the event nodes). Nil when
	// the run cannot.
	Events *Events
	// API calls weir's REST actions in process, for the run's application
	// only (the Losant API node). Nil when the run cannot.
	API APICaller
	// Views reaches the application's experience views (page replies). Nil
	// when the run cannot render pages.
	Views *Views
	// Tables reaches the application's data tables (the data table
	// nodes). Nil when the run cannot.
	Tables *Tables

	// Experience reaches the application's experience users and groups
	// (the experience nodes). Nil when the run cannot.
	Experience *Experience
}

// Press asks for a run of a flow's virtual button.
type Press struct {
	ApplicationID string
	FlowID        string
	Key           string          // the button's trigger key
	FlowVersion   string          // version name or id; "" for the flow's default version
	Data          json.RawMessage // the run's data; nil for the button's own default payload
	RelayType     string          // who presses: "flow", "user", "apiToken"
	RelayID       string
	// Origin is the chain's origin run ID when a run presses (see Env);
	// empty for presses from outside a run. Depth is the new run's depth.
	Origin string
	Depth  int
}

// Reply is the answer to a waiting HTTP request.
type Reply struct {
	StatusCode int
	Headers    map[string]string
	Cookies    []string // Set-Cookie header values, one per cookie
	Body       []byte
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
