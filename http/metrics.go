package http

import (
	"net/http"

	"github.com/weirhq/weir"
)

// ScopeMetrics is the token scope that reads GET /metrics and nothing else:
// give a Prometheus scraper a token of this scope alone
// (weir token create --scope metrics.get).
const ScopeMetrics = "metrics.get"

// handleMetrics serves the process's metrics in Prometheus's format from
// s.Metrics, or NotFound when the server has none.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *request) error {
	if s.Metrics == nil {
		return weir.Errorf(weir.NotFound, "%s does not exist", r.URL.Path)
	}
	s.Metrics.ServeHTTP(w, r)
	return nil
}

// KnownScope reports whether s is a token scope some route accepts, so that
// tools can refuse a misspelt one.
func KnownScope(s string) bool {
	for _, scopes := range actionScopes {
		if scopes[s] {
			return true
		}
	}
	return false
}
