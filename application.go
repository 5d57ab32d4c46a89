package weir

import (
	"context"
	"time"
)

// Limits of an application's blobUrlTTL, in seconds, as Losant's schema
// sets them.
const (
	MinBlobURLTTL = 3600
	MaxBlobURLTTL = 604800
)

// Application groups flows, their storage and the API tokens that reach them.
type Application struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	OwnerID     string   `json:"ownerId"`
	OwnerType   string   `json:"ownerType"` // "user" or "organization"
	Globals     []Global `json:"globals"`
	// EndpointSlug, when set, names the application's experience host,
	// {endpointSlug}.{experience domain}, besides its id; no two
	// applications of an instance share one.
	EndpointSlug string `json:"endpointSlug,omitempty"`
	// BlobURLTTL is how long, in seconds, links to blob attributes last
	// (MinBlobURLTTL to MaxBlobURLTTL; 0: not set). weir keeps it for
	// Losant's clients and exports; it has no blob attributes yet.
	BlobURLTTL   float64   `json:"blobUrlTTL,omitempty"`
	CreationDate time.Time `json:"creationDate"`
	LastUpdated  time.Time `json:"lastUpdated"`
}

// Validate checks the structural rules of an application.
func (a *Application) Validate() error {
	if n := len([]rune(a.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if len([]rune(a.Description)) > 1024 {
		return Errorf(Validation, "description has longer length than allowed")
	}
	if err := ValidateEndpointSlug(a.EndpointSlug); err != nil {
		return err
	}
	if a.BlobURLTTL != 0 && (a.BlobURLTTL < MinBlobURLTTL || a.BlobURLTTL > MaxBlobURLTTL) {
		return Errorf(Validation, "blobUrlTTL must be between %d and %d", MinBlobURLTTL, MaxBlobURLTTL)
	}
	return ValidateGlobals(a.Globals)
}

// ValidateEndpointSlug checks an application's endpointSlug: "" (none), or
// 3 to 63 lowercase letters, digits and hyphens, as Losant's schema has
// it. As the slug and the application's id both name experience hosts, a
// slug may not be 24 hexadecimal digits, the shape of an id.
func ValidateEndpointSlug(slug string) error {
	if slug == "" {
		return nil
	}
	if n := len(slug); n < 3 || n > 63 {
		return Errorf(Validation, "endpointSlug must be between 3 and 63 characters")
	}
	for _, c := range slug {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return Errorf(Validation, "endpointSlug may hold only lowercase letters, digits and hyphens")
		}
	}
	if ValidID(slug) {
		return Errorf(Validation, "endpointSlug %s has the shape of an application id (24 hexadecimal digits), which names experience hosts already", slug)
	}
	return nil
}

// ErrEndpointSlugTaken is the error a store returns when another
// application has the endpointSlug.
func ErrEndpointSlugTaken(slug string) error {
	return Errorf(Validation, "Endpoint slug %s is already in use", slug)
}

// ApplicationService manages applications.
type ApplicationService interface {
	// FindApplicationByID returns NotFound ("Application was not found") if
	// there is no application with that id.
	FindApplicationByID(ctx context.Context, id string) (*Application, error)

	// FindApplications returns one page of applications and the number of
	// applications matching opts across all pages. A non-empty ownerID keeps
	// only that owner's applications.
	FindApplications(ctx context.Context, ownerID string, opts ListOptions) ([]*Application, int, error)

	// FindApplicationBySlug returns the application whose EndpointSlug is
	// slug, or NotFound ("Application was not found").
	FindApplicationBySlug(ctx context.Context, slug string) (*Application, error)

	// CreateApplication stores a new application; it sets ID (when empty),
	// CreationDate and LastUpdated. It returns ErrEndpointSlugTaken when
	// another application has a's EndpointSlug.
	CreateApplication(ctx context.Context, a *Application) error

	// UpdateApplication replaces the stored application with a and sets
	// LastUpdated. It returns NotFound if the application does not exist,
	// ErrEndpointSlugTaken when another application has a's EndpointSlug.
	UpdateApplication(ctx context.Context, a *Application) error

	// DeleteApplication removes the application with its flows, their
	// versions, storage, logs and queued runs, and the application's API
	// tokens. It returns NotFound if the application does not exist.
	DeleteApplication(ctx context.Context, id string) error
}
