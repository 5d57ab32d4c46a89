package http

import (
	"context"
	"encoding/json"
	"errors"
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
// logged too, for the operator. An error that is the client canceling its
// request is logged at debug level only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	typ := weir.ErrorTypeOf(err)
	status, ok := statusOf[typ]
	if !ok {
		status = http.StatusInternalServerError
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away (a browser leaving a page): nothing
			// failed, and nobody reads the answer.
			s.logger().Debug("http: request canceled by the client",
				"method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			s.logger().Error("http: internal error",
				"method", r.Method, "path", r.URL.Path, "err", err)
		}
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
