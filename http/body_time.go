package http

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/weirhq/weir"
)

// Timeouts of weir's listeners, against clients that send slowly to hold
// connections: ReadHeaderTimeout and IdleTimeout are for http.Server,
// BodyReadTimeout for the handler (see Server.limitBodyTime). None bounds
// writing or the handler itself, so that debug streams stay open and
// requests waiting for a reply (30 s at most) get it.
const (
	// ReadHeaderTimeout is how long a request's headers may take to arrive.
	ReadHeaderTimeout = 10 * time.Second
	// BodyReadTimeout is the default of Server.BodyReadTimeout.
	BodyReadTimeout = 30 * time.Second
	// IdleTimeout is how long a kept-alive connection may wait for its next
	// request.
	IdleTimeout = 2 * time.Minute
)

// LimitBodyTime gives a request with a body timeout (BodyReadTimeout when
// 0) from when its headers arrived to send the body, by setting its
// connection's read deadline: past it, reading the body fails and the
// connection is closed, also when the handler leaves the body unread (the
// server reads what is left before it reuses a connection). A request
// without a body is left alone. Handlers read bodies with readBody, which
// lifts the deadline once the body is in, so that a handler that then waits
// (webhook and endpoint replies) is not cut short: past the deadline, the
// server's read watching for the client to go away would cancel the
// request's context.
func LimitBodyTime(next http.Handler, timeout time.Duration) http.Handler {
	if timeout <= 0 {
		timeout = BodyReadTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
		}
		next.ServeHTTP(w, r)
	})
}

// readBody reads r's body, at most max bytes, and lifts the read deadline
// LimitBodyTime set. A body over max is PayloadTooLarge, one that did not
// arrive in time RequestTimeout (and the connection is closed), any other
// failure Validation; what names the body in messages.
func readBody(w http.ResponseWriter, r *http.Request, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		if r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		}
		return b, nil
	case errors.As(err, &tooLarge):
		return nil, weir.Errorf(weir.PayloadTooLarge, "Request body is larger than %d bytes", max)
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		return nil, weir.Errorf(weir.RequestTimeout, "%s was not received in time; send it faster", what)
	}
	return nil, weir.Errorf(weir.Validation, "%s could not be read", what)
}
