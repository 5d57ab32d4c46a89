package nodes

import (
	"net/http"
	"sync/atomic"
)

// httpOverride, when set, carries every HTTP node request instead of the
// network.
var httpOverride atomic.Pointer[http.RoundTripper]

// SetHTTPTransport makes every HTTP node send its requests through rt
// instead of the network, so that tests and embedders can answer them
// locally; nil restores the network. It is safe for concurrent use and
// affects requests that start afterwards.
func SetHTTPTransport(rt http.RoundTripper) {
	if rt == nil {
		httpOverride.Store(nil)
		return
	}
	httpOverride.Store(&rt)
}

// httpRoundTripper returns the override, if any, else tr.
func httpRoundTripper(tr *http.Transport) http.RoundTripper {
	if rt := httpOverride.Load(); rt != nil {
		return *rt
	}
	return tr
}
