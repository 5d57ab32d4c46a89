package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// requestKey names one counter of weir_http_requests_total.
type requestKey struct {
	route string
	code  int
}

// Requests wraps the API handler h so that each request is counted by the
// route pattern that served it (the ServeMux pattern, never the raw path)
// and its status code. h must be (or end in) the ServeMux that routes, and
// hand it the same *http.Request.
func (m *Metrics) Requests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() { m.request(r.Pattern, sw.code).Inc() }()
		h.ServeHTTP(sw, r)
	})
}

// request returns the counter of a route and status, creating it on first
// use; later uses read it without a lock.
func (m *Metrics) request(route string, code int) prometheus.Counter {
	if route == "" {
		route = OtherRoute
	}
	switch {
	case code == 0:
		code = http.StatusOK // nothing written: net/http answers 200
	case code < 100 || code > 599:
		code = 0
	}
	k := requestKey{route, code}
	if c, ok := m.requestByKey.Load(k); ok {
		return c.(prometheus.Counter)
	}
	label := strconv.Itoa(code)
	if code == 0 {
		label = "other"
	}
	c, _ := m.requestByKey.LoadOrStore(k, m.requests.WithLabelValues(route, label))
	return c.(prometheus.Counter)
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the first status code and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 || code == http.StatusSwitchingProtocols {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes b, answering 200 first when no status was written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data to the client (live debug streams need it).
func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
