package weir

import (
	"context"
	"time"
)

// Token owner types.
const (
	OwnerApplication = "application"
	OwnerUser        = "user"
	// OwnerDevice owns the tokens POST /auth/device hands a device: its
	// OwnerID is the device id and its ID the access key's id.
	OwnerDevice = "device"
)

// Token statuses.
const (
	TokenActive   = "active"
	TokenInactive = "inactive"
)

// Token is the record of an API access token. The signed token string is
// handed out once, at creation, and never stored.
type Token struct {
	ID             string     `json:"id"`
	OwnerID        string     `json:"ownerId"`
	OwnerType      string     `json:"ownerType"`
	Name           string     `json:"name"`
	Description    string     `json:"description,omitempty"`
	Scope          []string   `json:"scope"`
	Status         string     `json:"status"`
	ExpirationDate *time.Time `json:"expirationDate,omitempty"`
	CreatorID      string     `json:"creatorId,omitempty"`
	CreatorType    string     `json:"creatorType,omitempty"`
	CreatorName    string     `json:"creatorName,omitempty"`
	CreationDate   time.Time  `json:"creationDate"`
	LastUpdated    time.Time  `json:"lastUpdated"`
}

// Usable reports whether the token may authenticate a request at now: it is
// active and not expired.
func (t *Token) Usable(now time.Time) bool {
	if t.Status != TokenActive {
		return false
	}
	return t.ExpirationDate == nil || now.Before(*t.ExpirationDate)
}

// TokenFilter selects the tokens of one owner.
type TokenFilter struct {
	OwnerID   string
	OwnerType string
	ListOptions
}

// TokenService manages API token records.
type TokenService interface {
	// FindTokenByID returns NotFound ("API token was not found") if there is
	// no token with that id.
	FindTokenByID(ctx context.Context, id string) (*Token, error)

	// FindTokens returns one page of an owner's tokens and their total count.
	FindTokens(ctx context.Context, filter TokenFilter) ([]*Token, int, error)

	// CreateToken stores a new token record; it sets ID (when empty),
	// CreationDate and LastUpdated.
	CreateToken(ctx context.Context, t *Token) error

	// UpdateToken replaces the stored record with t and sets LastUpdated. It
	// returns NotFound if the token does not exist.
	UpdateToken(ctx context.Context, t *Token) error

	// DeleteToken removes the record; the token stops authenticating at once.
	// It returns NotFound if the token does not exist.
	DeleteToken(ctx context.Context, id string) error
}
