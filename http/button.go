package http

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// handleButtonPress answers POST …/flows/{flowId}/virtualButton: it enqueues
// one run of the named version (else the flow's default version), durably,
// before answering {"success":true}. The key must name a virtual button of
// that version. A disabled flow or version answers the same and runs nothing.
// Over the rate limit it answers 429 with Retry-After.
func (s *Server) handleButtonPress(w http.ResponseWriter, r *http.Request, req *request) error {
	var in struct {
		Key         string          `json:"key"`
		FlowVersion string          `json:"flowVersion"`
		Payload     json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return weir.Errorf(weir.Validation, "button is the wrong type")
	}
	p := engine.Press{
		ApplicationID: req.appID, FlowID: req.flowID, Key: in.Key, FlowVersion: in.FlowVersion, Data: in.Payload,
	}
	p.RelayType, p.RelayID = relayOf(req.identity)
	if c := internalCaller(r.Context()); c != nil {
		// A flow pressing through the Losant API node: its run's chain
		// goes on, as from a Workflow Trigger node.
		p.RelayType, p.RelayID, p.Origin, p.Depth = "flow", c.flowID, c.origin, c.depth
	}
	_, err := s.buttons().Press(r.Context(), p)
	var node *engine.NodeError
	if errors.As(err, &node) && node.Name == "ChainLimitError" {
		err = weir.Errorf(weir.TooManyRequests, "%s", node.Message)
	}
	if err != nil {
		setRetryAfter(w, err)
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}

// relayOf names who started a run through the API: the user, or else the
// API token.
func relayOf(id *weir.Identity) (relayType, relayID string) {
	if id.OwnerType == weir.OwnerUser {
		return "user", id.OwnerID
	}
	return "apiToken", id.TokenID
}

// setRetryAfter sets Retry-After, in whole seconds, when err is an
// engine.ThrottledError.
func setRetryAfter(w http.ResponseWriter, err error) {
	var throttled *engine.ThrottledError
	if errors.As(err, &throttled) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(throttled.RetryAfter.Seconds()))))
	}
}

// buttons is the press logic over the server's services.
func (s *Server) buttons() *engine.Buttons {
	return &engine.Buttons{Flows: s.Flows, Versions: s.Versions, Runs: s.Runs, Limiter: s.ButtonLimiter, Now: s.now, Cache: s.Cache}
}
