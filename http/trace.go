package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// DefaultTraceInterval is how often a live trace stream sends unless
// Server.TraceInterval is set: the runs of one interval past
// engine.TraceRunsPerInterval come summed up per edge.
const DefaultTraceInterval = 500 * time.Millisecond

// handleFlowTrace answers GET …/flows/{flowId}/trace with a Server-Sent
// Events stream of the paths the flow's runs take as they complete: an
// event "run" (engine.TraceRun as JSON) for each of the first
// engine.TraceRunsPerInterval runs of an interval, then one event "runs"
// (engine.TraceSummary) counting the others per edge and node. It ends as
// the debug stream does.
func (s *Server) handleFlowTrace(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if s.Traces == nil {
		return fmt.Errorf("http: no trace source")
	}
	sub := s.Traces.Subscribe(req.flowID)
	defer sub.Close()
	interval := s.TraceInterval
	if interval <= 0 {
		interval = DefaultTraceInterval
	}
	next := time.Now()
	return serveStream(s, w, r, func(flush func()) { flush() }, sub.Ready(), func(struct{}) {
		// At most one batch per interval: what comes meanwhile waits in
		// the subscription, bounded.
		if wait := time.Until(next); wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		}
		next = time.Now().Add(interval)
		runs, summary := sub.Take()
		for _, data := range runs {
			writeEvent(w, "run", data)
		}
		if summary != nil {
			data, _ := json.Marshal(summary)
			writeEvent(w, "runs", data)
		}
	})
}
