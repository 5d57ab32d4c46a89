package weir

import (
	"context"
	"time"
)

// Webhook verification types. Losant also knows facebook, fitbit, twilio
// and alexa; weir refuses those until it implements them.
const (
	VerificationNone  = "none"
	VerificationBasic = "basic"
)

// DefaultWebhookResponseCode is what a webhook answers when it does not wait
// for a reply and no other code is configured.
const DefaultWebhookResponseCode = 200

// Webhook is a public URL, /webhooks/{token}, whose requests start runs of
// the application's flows that have a webhook trigger keyed by its ID.
type Webhook struct {
	ID                string    `json:"id"`
	ApplicationID     string    `json:"applicationId"`
	Name              string    `json:"name"`
	Token             string    `json:"token"`        // URL segment; server-generated
	ResponseCode      int       `json:"responseCode"` // answered when not waiting for a reply
	VerificationType  string    `json:"verificationType"`
	VerificationCode  string    `json:"verificationCode"`
	BasicAuthUsername string    `json:"basicAuthUsername"`
	BasicAuthPassword string    `json:"basicAuthPassword"`
	WaitForReply      bool      `json:"waitForReply"`
	CreationDate      time.Time `json:"creationDate"`
	LastUpdated       time.Time `json:"lastUpdated"`
}

// Validate checks the structural rules of a webhook: name, response code,
// a verification type weir supports (with a username for basic) and a
// URL-safe token when one is set.
func (w *Webhook) Validate() error {
	if n := len([]rune(w.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if w.ResponseCode < 200 || w.ResponseCode > 599 {
		return Errorf(Validation, "responseCode must be between 200 and 599")
	}
	switch w.VerificationType {
	case VerificationNone:
	case VerificationBasic:
		if w.BasicAuthUsername == "" {
			return Errorf(Validation, "basicAuthUsername is required for basic verification")
		}
	default:
		return Errorf(Validation, "verificationType %s is not supported yet", w.VerificationType)
	}
	if len(w.VerificationCode) > 1024 || len(w.BasicAuthUsername) > 1024 || len(w.BasicAuthPassword) > 1024 {
		return Errorf(Validation, "webhook credentials have longer length than allowed")
	}
	if w.Token != "" && !validWebhookToken(w.Token) {
		return Errorf(Validation, "token pattern mismatch")
	}
	return nil
}

// validWebhookToken reports whether s is 1–255 characters of [A-Za-z0-9_-].
func validWebhookToken(s string) bool {
	if len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NewWebhookToken returns a random URL-safe webhook token.
func NewWebhookToken() string { return NewKey(32) }

// WebhookFilter selects the webhooks of one application.
type WebhookFilter struct {
	ApplicationID string
	ListOptions   // SortField name (default), id, creationDate or lastUpdated; FilterField name
}

// WebhookService manages webhooks. Deleting an application deletes its
// webhooks.
type WebhookService interface {
	// FindWebhookByID returns NotFound ("Webhook was not found") unless the
	// application has a webhook with that id.
	FindWebhookByID(ctx context.Context, applicationID, id string) (*Webhook, error)

	// FindWebhookByToken returns the webhook whose token is token, in any
	// application, or NotFound ("Webhook was not found").
	FindWebhookByToken(ctx context.Context, token string) (*Webhook, error)

	// FindWebhooks returns one page of an application's webhooks and the
	// number matching the filter. An unknown sort or filter field returns
	// Validation.
	FindWebhooks(ctx context.Context, filter WebhookFilter) ([]*Webhook, int, error)

	// CreateWebhook stores a new webhook; it sets ID and Token (when empty),
	// CreationDate and LastUpdated. It returns Validation when w does not
	// validate or its ID or token is taken, and NotFound ("Application was
	// not found") when its application does not exist.
	CreateWebhook(ctx context.Context, w *Webhook) error

	// UpdateWebhook replaces the stored webhook's settings with w's and sets
	// LastUpdated; Token and CreationDate keep their stored values (and are
	// set on w). It returns NotFound like FindWebhookByID and Validation
	// when w does not validate.
	UpdateWebhook(ctx context.Context, w *Webhook) error

	// DeleteWebhook removes the webhook. It returns NotFound like
	// FindWebhookByID.
	DeleteWebhook(ctx context.Context, applicationID, id string) error
}
