package http

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/weirhq/weir/engine"
)

// debugKeepAlive is how often an idle debug stream sends a comment line, so
// that proxies and clients keep the connection open.
const debugKeepAlive = 15 * time.Second

// DefaultDebugRecheck is how often an open debug stream checks its token
// again unless Server.DebugRecheck is set: the longest a stream outlives
// the revocation, deletion or expiry of the token that opened it.
const DefaultDebugRecheck = 15 * time.Second

// DebugSource hands out the debug messages of a flow: the recent ones and
// those published from now on (see engine.DebugHub).
type DebugSource interface {
	Subscribe(flowID string) (recent [][]byte, events <-chan engine.DebugEvent, cancel func())
}

// streams ends every open debug stream when the server shuts down.
type streams struct {
	init, stop sync.Once
	done       chan struct{}
}

// closed returns a channel closed once the streams are stopped.
func (st *streams) closed() <-chan struct{} {
	st.init.Do(func() { st.done = make(chan struct{}) })
	return st.done
}

// StopStreams ends the open debug streams, so that a graceful shutdown need
// not wait for them. Register it with http.Server.RegisterOnShutdown.
func (s *Server) StopStreams() {
	s.streams.closed()
	s.streams.stop.Do(func() { close(s.streams.done) })
}

// handleFlowDebug answers GET …/flows/{flowId}/debug with a Server-Sent
// Events stream of the flow's Debug node messages (event "debug", data the
// message as JSON): first the recent ones, then each new one as it happens.
// The stream ends once its token no longer authenticates (checked every
// DebugRecheck).
func (s *Server) handleFlowDebug(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := s.findFlow(r, req); err != nil {
		return err
	}
	if s.Debug == nil {
		return fmt.Errorf("http: no debug source")
	}
	recent, events, cancel := s.Debug.Subscribe(req.flowID)
	defer cancel()
	return serveStream(s, w, r, func(flush func()) {
		for _, data := range recent {
			writeEvent(w, "debug", data)
		}
		flush()
	}, events, func(ev engine.DebugEvent) { writeEvent(w, "debug", ev.Data) })
}

// serveStream answers r with a Server-Sent Events stream: first writes
// what start writes, then calls send for each value events yields, with
// keep-alive comments in between. It ends when events is closed, the
// request or the server's streams end, or the request's token no longer
// authenticates (checked every DebugRecheck).
func serveStream[T any](s *Server, w http.ResponseWriter, r *http.Request, start func(flush func()), events <-chan T,
	send func(T)) error {
	return serveStreamEvery(s, w, r, debugKeepAlive, start, events, send)
}

// serveStreamEvery is serveStream with a keep-alive comment every keepAlive.
func serveStreamEvery[T any](s *Server, w http.ResponseWriter, r *http.Request, keepAlive time.Duration,
	start func(flush func()), events <-chan T, send func(T)) error {
	flusher, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("http: response writer cannot stream")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	start(flusher.Flush)
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	recheck := time.NewTicker(s.debugRecheck())
	defer recheck.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			send(ev)
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-recheck.C:
			if _, err := s.authenticate(r); err != nil {
				return nil // the token was revoked, deleted or expired meanwhile
			}
			continue
		case <-r.Context().Done():
			return nil
		case <-s.streams.closed():
			return nil
		}
		flusher.Flush()
	}
}

func (s *Server) debugRecheck() time.Duration {
	if s.DebugRecheck > 0 {
		return s.DebugRecheck
	}
	return DefaultDebugRecheck
}

// writeEvent writes one SSE event of type typ; data is single-line JSON.
func writeEvent(w http.ResponseWriter, typ string, data []byte) {
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, data)
}
