package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// Caller calls the REST actions of a Server in process, for the Losant API
// node (engine.APICaller). Each call runs the same route, validation and
// handler as over HTTP, as an internal principal of one application: an
// application token of scope all.Application that exists only in the call's
// context, so that it reaches that application and nothing else, and is
// never a token anyone could present. No network is involved.
//
// The zero Caller answers every call Unavailable until Serve is given a
// server, so that an executor may hold it before the API is built.
type Caller struct {
	mu  sync.RWMutex
	s   *Server
	mux *http.ServeMux // the REST routes only: no public, console or 405 routes
	h   http.Handler   // mux, a panic answered 500
}

// Serve makes c call s's routes. It may be called once, before or after
// runs start.
func (c *Caller) Serve(s *Server) {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.serve(rt))
	}
	c.mu.Lock()
	c.s, c.mux, c.h = s, mux, s.recoverPanics(mux)
	c.mu.Unlock()
}

// callerKey carries the internal principal of an in-process call.
type callerKey struct{}

// internalCall is the principal of an in-process call: the application it
// may reach, as an application token, and the calling flow.
type internalCall struct {
	identity *weir.Identity
	flowID   string
	origin   string // the calling run's chain (engine.APICall)
	depth    int
}

// internalCaller returns the principal of an in-process call, or nil for a
// request that came over the network.
func internalCaller(ctx context.Context) *internalCall {
	c, _ := ctx.Value(callerKey{}).(*internalCall)
	return c
}

// CallAPI runs one REST action for applicationID. An action no route
// serves (an unknown path or method) returns a NotFound application error
// naming it and runs nothing; every other outcome, refusals included, is
// the action's HTTP answer.
func (c *Caller) CallAPI(ctx context.Context, applicationID string, call engine.APICall) (engine.APIResult, error) {
	c.mu.RLock()
	s, mux, h := c.s, c.mux, c.h
	c.mu.RUnlock()
	if s == nil {
		return engine.APIResult{}, weir.Errorf(weir.Unavailable, "the API is not serving yet")
	}
	target := call.Path // its segments escaped by the caller
	if q := call.Query.Encode(); q != "" {
		target += "?" + q
	}
	var body bytes.Reader
	if call.Body != nil {
		body.Reset(call.Body)
	}
	r, err := http.NewRequestWithContext(ctx, call.Method, target, &body)
	if err != nil {
		return engine.APIResult{}, weir.Errorf(weir.Validation, "%s %s is not a valid request", call.Method, call.Path)
	}
	r.ContentLength = int64(len(call.Body))
	r.Header.Set("Content-Type", "application/json")
	if _, pattern := mux.Handler(r); pattern == "" {
		return engine.APIResult{}, weir.Errorf(weir.NotFound, "weir serves no action %s %s", call.Method, call.Path)
	}
	id := &weir.Identity{OwnerType: weir.OwnerApplication, OwnerID: applicationID, Scope: []string{"all.Application"}}
	r = r.WithContext(context.WithValue(ctx, callerKey{}, &internalCall{identity: id, flowID: call.FlowID, origin: call.Origin, depth: call.Depth}))
	w := &recorder{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(w, r)
	out := bytes.TrimSpace(w.body.Bytes())
	if len(out) == 0 || !json.Valid(out) {
		out = []byte("null")
	}
	return engine.APIResult{StatusCode: w.status, Body: out}, nil
}

// recorder is the response of an in-process call.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.body.Write(b)
}

var _ engine.APICaller = (*Caller)(nil)

// Actions returns the names of the REST actions weir serves, as Losant's
// clients name them ("devices.get", "event.patch", …): what the Losant API
// node can call.
func Actions() map[string]bool {
	out := map[string]bool{}
	for _, rt := range (&Server{}).routes() {
		out[rt.action] = true
	}
	return out
}
