package http

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/weirhq/weir"
)

// Query parameters of the stats and errors actions.
var (
	windowParams = []queryParam{
		{name: "duration", kind: paramInt, def: "86400000", min: 1, max: 366 * 86400000},
		{name: "end", kind: paramInt, def: "0", min: 0, max: 1 << 53},
		{name: "flowVersion", kind: paramString},
		{name: "deviceId", kind: paramID},
	}
	statsParams  = append([]queryParam{{name: "resolution", kind: paramInt, def: "3600000", min: 60000, max: 366 * 86400000}}, windowParams...)
	errorsParams = append([]queryParam{
		{name: "limit", kind: paramInt, def: "25", min: 1, max: 1000},
		{name: "sortDirection", kind: paramEnum, def: "desc", enum: []string{"asc", "desc"}},
	}, windowParams...)
)

// maxStatsBuckets bounds the metrics one stats request may ask for.
const maxStatsBuckets = 10_000

// logWindow is a time window over a flow's run log.
type logWindow struct {
	start, end time.Time
	version    string // name; "" for every version
	versionID  string // "develop" or a version id; "" for every version
}

// window reads duration, end (0: now) and flowVersion: develop, or a version
// id or name of the flow (else NotFound).
func (s *Server) window(r *http.Request, req *request) (logWindow, error) {
	ms := func(name string) int64 { n, _ := strconv.ParseInt(req.query[name], 10, 64); return n }
	end := time.UnixMilli(ms("end")).UTC()
	if ms("end") == 0 {
		end = time.UnixMilli(s.now().UnixMilli()).UTC()
	}
	w := logWindow{start: end.Add(-time.Duration(ms("duration")) * time.Millisecond), end: end}
	switch v := req.query["flowVersion"]; v {
	case "":
	case weir.DevelopVersion:
		w.version, w.versionID = v, v
	default:
		ver, err := s.findVersion(r, req, v)
		if err != nil {
			return w, err
		}
		w.version, w.versionID = ver.Version, ver.ID
	}
	return w, nil
}

// entries returns the flow's log entries inside w, newest first.
func (s *Server) entries(r *http.Request, req *request, w logWindow) ([]*weir.LogEntry, error) {
	all, err := s.Logs.FindLogEntries(r.Context(), req.flowID, weir.LogFilter{FlowVersionID: w.versionID, Since: w.start})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if !e.Time.After(w.end) {
			out = append(out, e)
		}
	}
	return out, nil
}

// statsMetric is one bucket of flowStats.metrics.
type statsMetric struct {
	Time           time.Time `json:"time"`
	RunCount       int       `json:"runCount"`
	PathsCompleted int       `json:"pathsCompleted"`
	PathsFailed    int       `json:"pathsFailed"`
	WallTime       float64   `json:"wallTime"`
}

// handleFlowStats answers GET …/flows/{flowId}/stats: run metrics summed per
// resolution-wide bucket over the window (schema flowStats.json).
func (s *Server) handleFlowStats(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	win, err := s.window(r, req)
	if err != nil {
		return err
	}
	res, _ := strconv.ParseInt(req.query["resolution"], 10, 64)
	step := time.Duration(res) * time.Millisecond
	first := win.start.Truncate(step)
	n := max(int((win.end.Sub(first)+step-1)/step), 1)
	if n > maxStatsBuckets {
		return weir.Errorf(weir.Validation, "duration / resolution asks for more than %d buckets", maxStatsBuckets)
	}
	entries, err := s.entries(r, req, win)
	if err != nil {
		return err
	}
	metrics := make([]statsMetric, n)
	for i := range metrics {
		metrics[i].Time = first.Add(time.Duration(i) * step)
	}
	for _, e := range entries {
		m := &metrics[min(int(e.Time.Sub(first)/step), n-1)] // an entry at end joins the last bucket
		m.RunCount += e.RunCount
		m.PathsCompleted += e.PathsCompleted
		m.PathsFailed += e.PathsFailed
		m.WallTime += e.WallTime
	}
	writeJSON(w, http.StatusOK, struct {
		FlowVersion   string        `json:"flowVersion,omitempty"`
		FlowVersionID string        `json:"flowVersionId,omitempty"`
		Start         time.Time     `json:"start"`
		End           time.Time     `json:"end"`
		Resolution    int64         `json:"resolution"`
		Metrics       []statsMetric `json:"metrics"`
	}{win.version, hexID(win.versionID), win.start, win.end, res, metrics})
	return nil
}

// flowErrorItem is one item of flowErrors.errors.
type flowErrorItem struct {
	Time          time.Time         `json:"time"`
	FlowVersion   string            `json:"flowVersion"`
	FlowVersionID string            `json:"flowVersionId,omitempty"`
	NodeID        string            `json:"nodeId"`
	NodeLabel     string            `json:"nodeLabel"`
	Error         weir.ErrorDetails `json:"error"`
}

// handleFlowErrors answers GET …/flows/{flowId}/errors: the node errors of
// runs inside the window, sorted by time, at most limit (schema
// flowErrors.json). Develop's version id is not a 24-hex id, so it is left
// out; flowVersion names the version.
func (s *Server) handleFlowErrors(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	win, err := s.window(r, req)
	if err != nil {
		return err
	}
	entries, err := s.entries(r, req, win)
	if err != nil {
		return err
	}
	items := []flowErrorItem{}
	for _, e := range entries {
		for _, re := range e.Errors {
			items = append(items, flowErrorItem{Time: re.Time, FlowVersion: re.FlowVersion, FlowVersionID: hexID(re.FlowVersionID),
				NodeID: re.NodeID, NodeLabel: re.NodeLabel, Error: re.Error})
		}
	}
	asc := req.query["sortDirection"] == "asc"
	sort.SliceStable(items, func(i, j int) bool {
		if asc {
			return items[i].Time.Before(items[j].Time)
		}
		return items[i].Time.After(items[j].Time)
	})
	limit, _ := strconv.Atoi(req.query["limit"])
	items = items[:min(limit, len(items))]
	writeJSON(w, http.StatusOK, struct {
		FlowVersion   string          `json:"flowVersion,omitempty"`
		FlowVersionID string          `json:"flowVersionId,omitempty"`
		Start         time.Time       `json:"start"`
		End           time.Time       `json:"end"`
		Limit         int             `json:"limit"`
		SortDirection string          `json:"sortDirection"`
		Errors        []flowErrorItem `json:"errors"`
	}{win.version, hexID(win.versionID), win.start, win.end, limit, req.query["sortDirection"], items})
	return nil
}

// hexID returns a version id as responses carry it: develop's id, which is
// not a 24-hex id, becomes "" (omitted).
func hexID(versionID string) string {
	if !weir.ValidID(versionID) {
		return ""
	}
	return versionID
}
