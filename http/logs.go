package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// handleFlowLogs answers GET …/flows/{flowId}/logs: the newest run log
// entries, at most limit, none older than since (ms), as a JSON array
// (schema flowLog.json).
func (s *Server) handleFlowLogs(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	filter := weir.LogFilter{}
	filter.Limit, _ = strconv.Atoi(req.query["limit"])
	if v, ok := req.query["since"]; ok {
		ms, _ := strconv.ParseInt(v, 10, 64)
		filter.Since = time.UnixMilli(ms).UTC()
	}
	entries, err := s.Logs.FindLogEntries(r.Context(), req.flowID, filter)
	if err != nil {
		return err
	}
	out := make([]weir.LogEntry, 0, len(entries))
	for _, e := range entries {
		c := *e
		c.Errors = nonNil(c.Errors)
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
