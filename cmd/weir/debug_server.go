package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	weirhttp "github.com/weirhq/weir/http"
)

// debugServer serves Go's runtime profiles (net/http/pprof) on
// --debug-addr, a listener of its own so that the API never exposes them.
type debugServer struct {
	server *http.Server
	ln     net.Listener
}

// openDebugServer starts serving profiles on addr; "" starts nothing.
func openDebugServer(addr string, bodyReadTimeout time.Duration) (*debugServer, error) {
	if addr == "" {
		return nil, nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	// The API's timeouts against slow clients; no write timeout, which
	// would cut profiles taken over seconds.
	d := &debugServer{server: &http.Server{Handler: weirhttp.LimitBodyTime(mux, bodyReadTimeout), ReadHeaderTimeout: weirhttp.ReadHeaderTimeout,
		IdleTimeout: weirhttp.IdleTimeout}, ln: ln}
	go d.server.Serve(ln)
	return d, nil
}

// Addr is the address profiles are served on.
func (d *debugServer) Addr() string { return d.ln.Addr().String() }

// close stops serving at once: profiles being taken are cut short.
func (d *debugServer) close() error {
	if d == nil {
		return nil
	}
	return d.server.Close()
}
