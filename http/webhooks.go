package http

import (
	"net/http"

	"github.com/weirhq/weir"
)

// webhooksResponse is a page of an application's webhooks.
type webhooksResponse struct {
	Items []*webhookResponse `json:"items"`
	listPage
	ApplicationID string `json:"applicationId"`
	Type          string `json:"_type"`
	Links         links  `json:"_links,omitempty"`
}

// handleWebhooksGet answers GET /applications/{applicationId}/webhooks.
func (s *Server) handleWebhooksGet(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Webhooks == nil {
		return errNoWebhookService
	}
	opts := listOptions(req.query)
	whs, total, err := s.Webhooks.FindWebhooks(r.Context(), weir.WebhookFilter{ApplicationID: req.appID, ListOptions: opts})
	if err != nil {
		return err
	}
	resp := &webhooksResponse{
		Items:         make([]*webhookResponse, 0, len(whs)),
		listPage:      newListPage(len(whs), total, opts),
		ApplicationID: req.appID,
		Type:          "webhooks",
		Links: linksFor(req.links, pathWebhooks, map[string]string{"application": pathApplication},
			"{applicationId}", req.appID),
	}
	for _, wh := range whs {
		resp.Items = append(resp.Items, newWebhookResponse(wh, req.links))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// handleWebhooksPost answers POST /applications/{applicationId}/webhooks
// with 201 and the new webhook: response code 200 and no verification unless
// the body says otherwise, and a server-generated token.
func (s *Server) handleWebhooksPost(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeWebhookBody(req)
	if err != nil {
		return err
	}
	if s.Webhooks == nil {
		return errNoWebhookService
	}
	wh := &weir.Webhook{
		ApplicationID:    req.appID,
		ResponseCode:     weir.DefaultWebhookResponseCode,
		VerificationType: weir.VerificationNone,
	}
	if err := in.apply(wh); err != nil {
		return err
	}
	if err := s.Webhooks.CreateWebhook(r.Context(), wh); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newWebhookResponse(wh, req.links))
	return nil
}
