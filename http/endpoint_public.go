package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// DefaultEndpointReplyTimeout is how long an experience endpoint request
// waits for an Endpoint Reply unless Server.EndpointReplyTimeout is set.
const DefaultEndpointReplyTimeout = 30 * time.Second

// triggerEndpoint is the trigger type of experience endpoint runs; a
// trigger keyed by anyEndpointKey fires for every endpoint.
const (
	triggerEndpoint = "endpoint"
	anyEndpointKey  = relayPublicID
)

// endpointData is an experience endpoint run's data (engine.md §3).
type endpointData struct {
	*requestData `json:"-"`        // encoded by requestData.encode
	Params       map[string]string `json:"params"`
	Cookies      map[string]string `json:"cookies"`
	ReplyID      string            `json:"replyId"`
}

// experience is an endpoint run's root experience object (nodes.md §4.6).
// User is the signed-in experience user as weir.ExperienceUserDocument
// shapes it (null for a public request), AuthInfo what the user's token
// says (endpoint_access.go); weir has no experience devices or versions,
// so runs are against develop.
type experience struct {
	Endpoint experienceRef `json:"endpoint"`
	User     any           `json:"user"`
	AuthInfo any           `json:"authInfo"`
	Device   any           `json:"device"`
	Version  string        `json:"version"`
}

// experienceRef is the endpoint as a run sees it.
type experienceRef struct {
	ID            string `json:"id"`
	ApplicationID string `json:"applicationId"`
	Route         string `json:"route"`
	Method        string `json:"method"`
	Access        string `json:"access"`
	Description   string `json:"description"`
}

// handleEndpointRequest answers ANY /experience/{applicationId}[/{path...}]
// without an API token. It picks the application's enabled endpoint whose
// method and route match (a literal segment beats a parameter), else 404;
// checks the endpoint's access (endpoint_access.go: a refused request gets
// 401 or the endpoint's unauthorized reply and starts nothing); reads the
// body (413 over 256 KB); registers the reply waiter; durably
// enqueues one run for each enabled flow, of any class, whose default
// version has an endpoint trigger keyed by the endpoint's id (or the
// any-endpoint key); and answers the first Endpoint Reply, or 504 after
// the reply timeout. When no flow listens it answers the endpoint's static
// reply (endpoint_static.go), else 404 at once rather than hold the caller
// for the whole timeout.
//
// The same handler serves the endpoints from the root of the
// application's experience host (experience_host.go).
func (s *Server) handleEndpointRequest(w http.ResponseWriter, r *http.Request) {
	if err := s.serveEndpoint(w, r); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) serveEndpoint(w http.ResponseWriter, r *http.Request) error {
	appID := strings.ToLower(r.PathValue("applicationId"))
	if s.Endpoints == nil || !weir.ValidID(appID) {
		return errNoEndpoint()
	}
	eps, _, err := s.Endpoints.FindExperienceEndpoints(r.Context(), weir.ExperienceEndpointFilter{ApplicationID: appID})
	if err != nil {
		return err
	}
	ep, params := weir.MatchExperienceEndpoint(eps, r.Method, endpointPath(r))
	if ep == nil {
		return errNoEndpoint()
	}
	caller, err := s.endpointAccess(r, ep)
	if err != nil {
		s.writeUnauthorized(w, r, ep, err)
		return nil
	}
	rd, err := readRequestData(w, r)
	if err != nil {
		return err
	}
	appendForwardedFor(rd, r)
	data := &endpointData{requestData: rd, Params: params, Cookies: map[string]string{},
		ReplyID: ep.ID + "." + weir.NewID()}
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
	n, err := s.enqueueEndpointRuns(r, ep, data, caller)
	if err != nil {
		return err
	}
	if n == 0 {
		if ep.StaticReply != nil {
			return s.writeStaticReply(w, r, ep, data, caller)
		}
		return weir.Errorf(weir.NotFound, "No workflow handles %s %s", ep.Method, ep.Route)
	}
	timeout := s.EndpointReplyTimeout
	if timeout <= 0 {
		timeout = DefaultEndpointReplyTimeout
	}
	return s.awaitReply(w, r, replies, timeout)
}

func errNoEndpoint() error {
	return weir.Errorf(weir.NotFound, "Endpoint was not found")
}

// endpointPath returns r's path below /experience/{applicationId}, or
// from the root on an experience host, still escaped, so that an escaped
// "/" stays inside its route segment.
func endpointPath(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if hostApplication(r) != "" {
		return "/" + p
	}
	for range 2 { // "experience", the application id
		_, p, _ = strings.Cut(p, "/")
	}
	return "/" + p
}

// enqueueEndpointRuns stores one run of data for every flow the endpoint
// triggers and returns how many it stored.
func (s *Server) enqueueEndpointRuns(r *http.Request, ep *weir.ExperienceEndpoint, data *endpointData, caller endpointCaller) (int, error) {
	raw, err := data.encode(data)
	if err != nil {
		return 0, fmt.Errorf("http: encode endpoint data: %w", err)
	}
	exp, err := json.Marshal(experience{
		Endpoint: experienceRef{ID: ep.ID, ApplicationID: ep.ApplicationID, Route: ep.Route, Method: ep.Method,
			Access: ep.Access, Description: ep.Description},
		Version:  weir.DevelopVersion,
		User:     caller.user,
		AuthInfo: caller.authInfo,
	})
	if err != nil {
		return 0, fmt.Errorf("http: encode endpoint experience: %w", err)
	}
	flows, _, err := s.Flows.FindFlows(r.Context(), weir.FlowFilter{ApplicationID: ep.ApplicationID})
	if err != nil {
		return 0, err
	}
	at := time.UnixMilli(s.now().UnixMilli()).UTC()
	n := 0
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		version, def, err := s.runnableVersion(r.Context(), f, "")
		if err != nil {
			return n, err
		}
		key, ok := endpointTriggerKey(def, ep.ID)
		if !ok {
			continue
		}
		run := &weir.Run{
			ID: weir.NewID(), ApplicationID: f.ApplicationID, FlowID: f.ID, FlowVersion: version,
			TriggerType: triggerEndpoint, TriggerKey: key, TriggerID: ep.ID,
			RelayType: relayPublic, RelayID: relayPublicID, Time: at, Data: raw, Experience: exp,
		}
		if err := s.Runs.EnqueueRun(r.Context(), run); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// endpointTriggerKey returns the key of d's endpoint trigger for the
// endpoint id: the id itself, else the any-endpoint key. A nil d has none.
func endpointTriggerKey(d *weir.Definition, id string) (string, bool) {
	if d == nil {
		return "", false
	}
	found := ""
	for _, t := range d.Triggers {
		if t.Type != triggerEndpoint {
			continue
		}
		if strings.EqualFold(t.Key, id) {
			return t.Key, true
		}
		if t.Key == anyEndpointKey {
			found = t.Key
		}
	}
	return found, found != ""
}
