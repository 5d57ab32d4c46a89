package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine/js"
)

// TriggerFlowError is the type of the Workflow Error trigger.
const TriggerFlowError = "flowError"

// maxErroredPayload is the largest errored payload a flowError run carries;
// a larger one is replaced by a note, as Losant does.
const maxErroredPayload = 256 << 10

// fireFlowErrors starts a run of every Workflow Error trigger that catches
// the halting error of run, each in its flow's default version: triggers
// scoped "local" in the failing flow; "cloud" in any enabled flow when the
// failing flow is a cloud flow; "experience" when it is an experience flow;
// "global" when it is either (in an edge flow: when it is an edge flow). Handlers start in Losant's order: the failing
// flow's own, then experience flows', then cloud flows' scoped experience,
// then the others. Runs started by a flowError trigger never fire another
// one.
func (e *Executor) fireFlowErrors(ctx context.Context, run *weir.Run, flow *weir.Flow, res *Result, log *slog.Logger) {
	if res.PathsFailed == 0 || len(res.Errors) == 0 || run.TriggerType == TriggerFlowError {
		return
	}
	flows, _, err := e.Flows.FindFlows(ctx, weir.FlowFilter{ApplicationID: run.ApplicationID})
	if err != nil {
		log.Error("find flowError handlers", "err", err)
		return
	}
	var handlers []flowErrorHandler
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		v, ok := runnableDefault(ctx, e.Versions, f)
		if !ok {
			continue
		}
		for _, t := range v.Def.Triggers {
			if t.Type != TriggerFlowError {
				continue
			}
			if scope, ok := catches(t, f.ID == flow.ID, f.FlowClass, flow.FlowClass); ok {
				handlers = append(handlers, flowErrorHandler{f, v.Name, t.Key, handlerRank(f, flow, scope), triggerID(f, flow, scope)})
			}
		}
	}
	sort.SliceStable(handlers, func(i, j int) bool { return handlers[i].rank < handlers[j].rank })
	data := flowErrorData(res)
	for _, h := range handlers {
		handler := &weir.Run{
			ID: weir.NewID(), ApplicationID: h.flow.ApplicationID, FlowID: h.flow.ID, FlowVersion: h.version,
			TriggerType: TriggerFlowError, TriggerKey: h.key, TriggerID: h.triggerID,
			RelayType: "flow", RelayID: flow.ID, Time: e.Now().UTC(), Data: data,
		}
		if err := e.Queue.EnqueueRun(ctx, handler); err != nil {
			log.Error("enqueue flowError run", "handler_flow_id", h.flow.ID, "err", err)
		}
	}
}

// flowErrorHandler is a Workflow Error trigger that catches an error.
type flowErrorHandler struct {
	flow      *weir.Flow
	version   string
	key       string
	rank      int    // the order handlers start in
	triggerID string // the handler run's triggerId
}

// triggerID is the triggerId of handler f's run for an error of flow
// failed: "<failed flow id>-flowError", or on edge devices
// "global-flowError" for a global handler of another flow.
func triggerID(f, failed *weir.Flow, scope string) string {
	if scope == "global" && edgeClass(f.FlowClass) && f.ID != failed.ID {
		return "global-flowError"
	}
	return failed.ID + "-flowError"
}

// handlerRank orders the handlers of an error of flow failed.
func handlerRank(f, failed *weir.Flow, scope string) int {
	switch {
	case f.ID == failed.ID:
		return 0
	case f.FlowClass == weir.FlowClassExperience:
		return 1
	case scope == "experience":
		return 2
	}
	return 3
}

// catches reports whether flowError trigger t, in a flow of class
// handlerClass, catches an error of its own flow (own) or of another flow
// of class failedClass, and under which scope. An edge flow's global
// handler catches the errors of edge flows, as on a device.
func catches(t weir.Trigger, own bool, handlerClass, failedClass string) (scope string, ok bool) {
	var cfg struct {
		Scope string `json:"scope"`
	}
	if len(t.Config) > 0 {
		_ = json.Unmarshal(t.Config, &cfg)
	}
	cloud := failedClass == "" || failedClass == weir.FlowClassCloud
	experience := failedClass == weir.FlowClassExperience
	switch cfg.Scope {
	case "", "local":
		return "local", own
	case "cloud":
		return cfg.Scope, cloud
	case "experience":
		return cfg.Scope, experience
	case "global":
		if edgeClass(handlerClass) {
			return cfg.Scope, own || edgeClass(failedClass)
		}
		return cfg.Scope, cloud || experience
	}
	return cfg.Scope, false
}

// edgeClass reports whether a flow class runs on edge devices.
func edgeClass(class string) bool {
	return class == weir.FlowClassEdge || class == weir.FlowClassEmbedded
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
	if d, ok := res.ErroredPayload["data"].(map[string]any); ok {
		if id, ok := d["replyId"].(string); ok && id != "" {
			data["replyId"] = id // the request the failed run was to answer
		}
	}
	b, _ := js.Stringify(data, "")
	return b
}
