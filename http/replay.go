package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// replayResponse answers a replay: the new run, whose log entry (runId) and
// trace show the path the kept payload takes through the flow now.
type replayResponse struct {
	Success     bool   `json:"success"`
	RunID       string `json:"runId"`
	ReplayOf    string `json:"replayOf"`
	FlowVersion string `json:"flowVersion"`
}

// handleFlowLogEntry answers GET …/flows/{flowId}/logs/{runId}: the run's
// log entry, with the trigger payload it kept in full (credentials
// redacted); NotFound ("Run was not found") when the flow logged no such
// run.
func (s *Server) handleFlowLogEntry(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	entries, err := s.Logs.FindLogEntries(r.Context(), req.flowID, weir.LogFilter{RunID: req.runID, Limit: 1, WithPayload: true})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return weir.Errorf(weir.NotFound, "Run was not found")
	}
	e := *entries[0]
	e.Errors = nonNil(e.Errors)
	writeJSON(w, http.StatusOK, e)
	return nil
}

// handleFlowReplay answers POST …/flows/{flowId}/logs/{runId}/replay: it
// enqueues, durably, a run of the flow's default version (or the body's
// flowVersion) with the trigger payload the run's log entry kept, through
// the same trigger, and answers the new run's id. The errors are
// engine.Replays.Replay's; replays share the button presses' rate limit
// (--press-limit, per flow), over which they answer 429 with Retry-After.
func (s *Server) handleFlowReplay(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		FlowVersion string `json:"flowVersion"`
	}
	if req.body != nil {
		if err := json.Unmarshal(req.body, &in); err != nil {
			return weir.Errorf(weir.Validation, "replay is the wrong type")
		}
	}
	rp := engine.Replay{ApplicationID: req.appID, FlowID: req.flowID, RunID: req.runID, FlowVersion: in.FlowVersion}
	rp.RelayType, rp.RelayID = relayOf(req.identity)
	replays := &engine.Replays{Flows: s.Flows, Versions: s.Versions, Logs: s.Logs, Runs: s.Runs, Limiter: s.ButtonLimiter, Now: s.now}
	run, err := replays.Replay(r.Context(), rp)
	if err != nil {
		setRetryAfter(w, err)
		return err
	}
	writeJSON(w, http.StatusOK, replayResponse{Success: true, RunID: run.ID, ReplayOf: run.ReplayOf, FlowVersion: run.FlowVersion})
	return nil
}
