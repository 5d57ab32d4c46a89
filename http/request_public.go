package http

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// DefaultRequestReplyTimeout is how long a request to an HTTP request
// trigger waits for an HTTP Response unless Server.RequestReplyTimeout is
// set.
const DefaultRequestReplyTimeout = 30 * time.Second

// requestTriggerData is an HTTP request trigger run's data (nodes.md §4.11).
type requestTriggerData struct {
	*requestData `json:"-"`        // encoded by requestData.encode
	Params       map[string]string `json:"params"`
	Cookies      map[string]string `json:"cookies"`
	ReplyID      string            `json:"replyId"`
}

// handleEdgeRequest answers ANY /edge/{applicationId}[/{path...}] without an
// API token. It stands in for an edge device's local web server: every
// enabled flow of the application whose selected version (X-Flow-Version,
// else the default version) has HTTP request triggers ("request") matching
// the method and the path below the application's root gets one durably
// queued run per matching trigger; the request waits for the first HTTP
// Response node to answer, or 504 after the reply timeout. When no trigger
// matches it answers 404 at once; a body over 256 KB is 413.
func (s *Server) handleEdgeRequest(w http.ResponseWriter, r *http.Request) {
	if err := s.serveEdgeRequest(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) serveEdgeRequest(w http.ResponseWriter, r *http.Request) error {
	appID := strings.ToLower(r.PathValue("applicationId"))
	if !weir.ValidID(appID) {
		return weir.Errorf(weir.NotFound, "Application was not found")
	}
	rd, err := readRequestData(w, r)
	if err != nil {
		return err
	}
	data := &requestTriggerData{requestData: rd, Cookies: map[string]string{}, ReplyID: appID + "." + weir.NewID()}
	for _, c := range r.Cookies() {
		data.Cookies[c.Name] = c.Value
	}
	var replies <-chan engine.Reply
	if s.Replies != nil {
		ch, cancel, err := s.Replies.Register(data.ReplyID)
		if err != nil {
			return err
		}
		defer cancel()
		replies = ch
	}
	n, err := s.enqueueRequestRuns(r, appID, edgePath(r), data)
	if err != nil {
		return err
	}
	if n == 0 {
		return weir.Errorf(weir.NotFound, "No workflow handles %s %s", strings.ToUpper(rd.Method), rd.Path)
	}
	timeout := s.RequestReplyTimeout
	if timeout <= 0 {
		timeout = DefaultRequestReplyTimeout
	}
	return s.awaitReply(w, r, replies, timeout)
}

// edgePath returns r's path below /edge/{applicationId}, still escaped.
func edgePath(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	for range 2 { // "edge", the application id
		_, p, _ = strings.Cut(p, "/")
	}
	return "/" + p
}

// enqueueRequestRuns stores one run of data for every request trigger the
// request matches, in every enabled flow of the application, and returns
// how many it stored.
func (s *Server) enqueueRequestRuns(r *http.Request, appID, escapedPath string, data *requestTriggerData) (int, error) {
	flows, _, err := s.Flows.FindFlows(r.Context(), weir.FlowFilter{ApplicationID: appID})
	if err != nil {
		return 0, err
	}
	named := strings.TrimSpace(r.Header.Get("X-Flow-Version"))
	at := time.UnixMilli(s.now().UnixMilli()).UTC()
	n := 0
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		version, def, err := s.runnableVersion(r.Context(), f, named)
		if err != nil {
			return n, err
		}
		for _, m := range engine.MatchRequestTriggers(def, r.Method, escapedPath) {
			data.Params = m.Params
			raw, err := data.encode(data)
			if err != nil {
				return n, fmt.Errorf("http: encode request data: %w", err)
			}
			run := &weir.Run{
				ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: version,
				TriggerType: engine.TriggerRequest, TriggerKey: m.Key, TriggerID: engine.TriggerRequest,
				RelayType: relayPublic, RelayID: relayPublicID, Time: at, Data: raw,
			}
			if err := s.Runs.EnqueueRun(r.Context(), run); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
