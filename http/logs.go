package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// logParams are the query parameters of the getLogEntries actions.
var logParams = []queryParam{
	{name: "limit", kind: paramInt, def: "1", min: 1, max: 10000},
	{name: "since", kind: paramInt, min: 0, max: 1 << 53},
}

// handleFlowLogs answers GET …/flows/{flowId}/logs: the newest run log
// entries of every version, at most limit, none older than since (ms), as a
// JSON array (schema flowLog.json).
func (s *Server) handleFlowLogs(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	return s.writeLogs(w, r, req, "")
}

// writeLogs answers with the flow's log entries of the version whose id is
// versionID ("" for every version), filtered by limit and since.
func (s *Server) writeLogs(w http.ResponseWriter, r *http.Request, req *request, versionID string) error {
	filter := weir.LogFilter{FlowVersionID: versionID}
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
