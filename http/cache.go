package http

import (
	"context"
	"net/http"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// cachedActions are the actions whose changes the webhook endpoint's cache
// holds: it is invalidated when one of them answers.
var cachedActions = map[string]bool{
	"application.patch": true, "application.delete": true,
	"flows.post": true, "flows.import": true, "flow.patch": true, "flow.delete": true,
	"flowVersions.post": true, "flowVersions.delete": true, "flowVersion.patch": true, "flowVersion.delete": true,
	"webhooks.post": true, "webhook.patch": true, "webhook.delete": true,
}

// invalidating returns w, made to invalidate s.Cache just before the
// response starts when rt changes what the cache holds. The change is
// committed by then, and a client that has the answer and sends a webhook
// request sees it.
func (s *Server) invalidating(w http.ResponseWriter, rt route) http.ResponseWriter {
	if s.Cache == nil || !cachedActions[rt.action] {
		return w
	}
	return &invalidatingWriter{ResponseWriter: w, cache: s.Cache}
}

// invalidatingWriter invalidates cache once, at the first header or body
// write.
type invalidatingWriter struct {
	http.ResponseWriter
	cache *engine.FlowCache
	done  bool
}

func (w *invalidatingWriter) invalidate() {
	if !w.done {
		w.done = true
		w.cache.Invalidate()
	}
}

// WriteHeader invalidates the cache, then writes the header.
func (w *invalidatingWriter) WriteHeader(code int) {
	w.invalidate()
	w.ResponseWriter.WriteHeader(code)
}

// Write invalidates the cache, then writes b.
func (w *invalidatingWriter) Write(b []byte) (int, error) {
	w.invalidate()
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *invalidatingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// webhookByToken finds the webhook a public request names.
func (s *Server) webhookByToken(ctx context.Context, token string) (*weir.Webhook, error) {
	if s.Cache != nil {
		return s.Cache.Webhook(ctx, token)
	}
	return s.Webhooks.FindWebhookByToken(ctx, token)
}

// webhookTargets returns the flows a request to wh runs at the version
// named (X-Flow-Version; "" for each flow's default).
func (s *Server) webhookTargets(ctx context.Context, wh *weir.Webhook, named string) ([]engine.WebhookTarget, error) {
	if s.Cache != nil && named == "" {
		return s.Cache.WebhookTargets(ctx, wh.ApplicationID, wh.ID)
	}
	m, err := engine.WebhookTargets(ctx, s.Flows, s.Versions, wh.ApplicationID, named)
	return m[strings.ToLower(wh.ID)], err
}
