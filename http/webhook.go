package http

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weirhq/weir"
)

// errNoWebhookService is the internal error of webhook routes served
// without a WebhookService.
var errNoWebhookService = errors.New("http: Server.Webhooks is not set")

// webhookLinks are the resource links of a webhook.
var webhookLinks = map[string]string{
	"application": pathApplication,
	"webhooks":    pathWebhooks,
}

// webhookResponse is a webhook as the API returns it. isWebsocket is always
// false: weir has no WebSocket webhooks.
type webhookResponse struct {
	*weir.Webhook
	WebhookID   string `json:"webhookId"`
	IsWebsocket bool   `json:"isWebsocket"`
	Type        string `json:"_type"`
	Links       links  `json:"_links,omitempty"`
}

func newWebhookResponse(w *weir.Webhook, withLinks bool) *webhookResponse {
	return &webhookResponse{
		Webhook:   w,
		WebhookID: w.ID,
		Type:      "webhook",
		Links: linksFor(withLinks, pathWebhook, webhookLinks,
			"{applicationId}", w.ApplicationID, "{webhookId}", w.ID),
	}
}

// webhookBody is a schema-valid webhook post or patch body; absent fields
// are nil.
type webhookBody struct {
	Name              *string `json:"name"`
	ResponseCode      *int    `json:"responseCode"`
	VerificationType  *string `json:"verificationType"`
	VerificationCode  *string `json:"verificationCode"`
	BasicAuthUsername *string `json:"basicAuthUsername"`
	BasicAuthPassword *string `json:"basicAuthPassword"`
	WaitForReply      *bool   `json:"waitForReply"`
	IsWebsocket       *bool   `json:"isWebsocket"`
}

// decodeWebhookBody decodes a request's webhook body.
func decodeWebhookBody(req *request) (*webhookBody, error) {
	var in webhookBody
	if err := json.Unmarshal(req.body, &in); err != nil {
		return nil, weir.Errorf(weir.Validation, "webhook is the wrong type")
	}
	if in.IsWebsocket != nil && *in.IsWebsocket {
		return nil, weir.Errorf(weir.Validation, "webhook.isWebsocket is not supported yet")
	}
	return &in, nil
}

// apply sets each field present in b on w and validates the result.
func (b *webhookBody) apply(w *weir.Webhook) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&w.Name, b.Name)
	set(&w.VerificationType, b.VerificationType)
	set(&w.VerificationCode, b.VerificationCode)
	set(&w.BasicAuthUsername, b.BasicAuthUsername)
	set(&w.BasicAuthPassword, b.BasicAuthPassword)
	if b.ResponseCode != nil {
		w.ResponseCode = *b.ResponseCode
	}
	if b.WaitForReply != nil {
		w.WaitForReply = *b.WaitForReply
	}
	return w.Validate()
}

// findWebhook returns the webhook the path names, or NotFound.
func (s *Server) findWebhook(r *http.Request, req *request) (*weir.Webhook, error) {
	if s.Webhooks == nil {
		return nil, errNoWebhookService
	}
	return s.Webhooks.FindWebhookByID(r.Context(), req.appID, req.webhookID)
}

// handleWebhookGet answers GET /applications/{applicationId}/webhooks/{webhookId}.
func (s *Server) handleWebhookGet(w http.ResponseWriter, r *http.Request, req *request) error {
	wh, err := s.findWebhook(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newWebhookResponse(wh, req.links))
	return nil
}

// handleWebhookPatch answers PATCH …/webhooks/{webhookId}: the fields given
// replace the stored ones; the token never changes.
func (s *Server) handleWebhookPatch(w http.ResponseWriter, r *http.Request, req *request) error {
	in, err := decodeWebhookBody(req)
	if err != nil {
		return err
	}
	wh, err := s.findWebhook(r, req)
	if err != nil {
		return err
	}
	if err := in.apply(wh); err != nil {
		return err
	}
	if err := s.Webhooks.UpdateWebhook(r.Context(), wh); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newWebhookResponse(wh, req.links))
	return nil
}

// handleWebhookDelete answers DELETE …/webhooks/{webhookId} with
// {"success":true}. Flows keep their webhook triggers, which never fire
// again.
func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	if s.Webhooks == nil {
		return errNoWebhookService
	}
	if err := s.Webhooks.DeleteWebhook(r.Context(), req.appID, req.webhookID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, success)
	return nil
}
