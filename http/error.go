package http

import (
	"encoding/json"
	"net/http"

	"github.com/weirhq/weir"
)

// statusOf maps each application error type to its HTTP status. Any other
// type, and every non-application error, is a 500.
var statusOf = map[weir.ErrorType]int{
	weir.Validation:          http.StatusBadRequest,
	weir.Unauthorized:        http.StatusUnauthorized,
	weir.Forbidden:           http.StatusForbidden,
	weir.NotFound:            http.StatusNotFound,
	weir.MethodNotAllowed:    http.StatusMethodNotAllowed,
	weir.PayloadTooLarge:     http.StatusRequestEntityTooLarge,
	weir.RequestTimeout:      http.StatusRequestTimeout,
	weir.TooManyRequests:     http.StatusTooManyRequests,
	weir.Unavailable:         http.StatusServiceUnavailable,
	weir.InsufficientStorage: http.StatusInsufficientStorage,
}

// errorResponse is the body of every error answer (schema error.json).
type errorResponse struct {
	Type    weir.ErrorType `json:"type"`
	Message string         `json:"message"`
}

// writeError answers err as {"type","message"}. Internal errors are logged
// once and reach the client only as "Internal error"; a full store is
// logged too, for the operator.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	typ := weir.ErrorTypeOf(err)
	status, ok := statusOf[typ]
	if !ok {
		status = http.StatusInternalServerError
		s.logger().Error("http: internal error",
			"method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, status, errorResponse{Type: weir.Internal, Message: "Internal error"})
		return
	}
	if typ == weir.InsufficientStorage {
		s.logger().Warn("http: the store is out of space; write refused",
			"method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorResponse{Type: typ, Message: weir.ErrorMessage(err)})
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"type":"Error","message":"Internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
