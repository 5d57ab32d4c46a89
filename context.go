package weir

import "context"

// Identity is who made a request: the authenticated token.
type Identity struct {
	TokenID   string
	OwnerType string // OwnerUser, OwnerApplication or OwnerDevice
	OwnerID   string
	Scope     []string
	// ApplicationID is the device's application, for device tokens.
	ApplicationID string
}

type identityKey struct{}

// NewContextWithIdentity returns a copy of ctx carrying id.
func NewContextWithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFromContext returns the identity carried by ctx, or nil.
func IdentityFromContext(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}
