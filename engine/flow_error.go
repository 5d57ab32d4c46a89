package engine

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine/js"
)

// TriggerFlowError is the type of the Workflow Error trigger.
const TriggerFlowError = "flowError"

// maxErroredPayload is the largest errored payload a flowError run carries;
// a larger one is replaced by a note, as Losant does.
const maxErroredPayload = 256 << 10

// flowErrorScopes are the flowError trigger scopes that catch errors of any
// application flow, not only of their own flow.
var flowErrorScopes = map[string]bool{"cloud": true, "global": true}

// fireFlowErrors starts a run of every Workflow Error trigger that catches
// the halting error of run: triggers scoped "local" in the failing flow, and
// triggers scoped "cloud" or "global" in any enabled flow of the
// application, each in its flow's default version. Runs started by a
// flowError trigger never fire another one.
func (e *Executor) fireFlowErrors(ctx context.Context, run *weir.Run, flow *weir.Flow, res *Result, log *slog.Logger) {
	if res.PathsFailed == 0 || len(res.Errors) == 0 || run.TriggerType == TriggerFlowError {
		return
	}
	flows, _, err := e.Flows.FindFlows(ctx, weir.FlowFilter{ApplicationID: run.ApplicationID, FlowClass: weir.FlowClassCloud})
	if err != nil {
		log.Error("find flowError handlers", "err", err)
		return
	}
	data := flowErrorData(res)
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		v, ok := runnableDefault(ctx, e.Versions, f)
		if !ok {
			continue
		}
		for _, t := range v.Def.Triggers {
			if t.Type != TriggerFlowError || !catches(t, f.ID == flow.ID) {
				continue
			}
			handler := &weir.Run{
				ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: v.Name,
				TriggerType: TriggerFlowError, TriggerKey: t.Key, TriggerID: flow.ID + "-flowError",
				RelayType: "flow", RelayID: flow.ID, Time: e.Now().UTC(), Data: data,
			}
			if err := e.Queue.EnqueueRun(ctx, handler); err != nil {
				log.Error("enqueue flowError run", "handler_flow_id", f.ID, "err", err)
			}
		}
	}
}

// catches reports whether flowError trigger t catches an error of its own
// flow (own) or of another flow.
func catches(t weir.Trigger, own bool) bool {
	var cfg struct {
		Scope string `json:"scope"`
	}
	if len(t.Config) > 0 {
		_ = json.Unmarshal(t.Config, &cfg)
	}
	return own && (cfg.Scope == "" || cfg.Scope == "local") || flowErrorScopes[cfg.Scope]
}

// flowErrorData is the data of a flowError run: what failed, and the payload
// at that moment.
func flowErrorData(res *Result) json.RawMessage {
	first := res.Errors[0]
	var errored any = res.ErroredPayload
	if b, _ := js.Stringify(errored, ""); len(b) > maxErroredPayload {
		errored = "Payload data omitted due to size"
	}
	data := map[string]any{
		"errorInfo": map[string]any{
			"error":     map[string]any{"name": first.Error.Name, "message": first.Error.Message},
			"nodeId":    first.NodeID,
			"nodeType":  first.NodeType,
			"nodeLabel": first.NodeLabel,
			"time":      first.Time,
		},
		"erroredPayload": errored,
	}
	b, _ := js.Stringify(data, "")
	return b
}
