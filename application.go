package weir

import (
	"context"
	"time"
)

// Application groups flows, their storage and the API tokens that reach them.
type Application struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	OwnerID      string    `json:"ownerId"`
	OwnerType    string    `json:"ownerType"` // "user" or "organization"
	Globals      []Global  `json:"globals"`
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
	return ValidateGlobals(a.Globals)
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

	// CreateApplication stores a new application; it sets ID (when empty),
	// CreationDate and LastUpdated.
	CreateApplication(ctx context.Context, a *Application) error

	// UpdateApplication replaces the stored application with a and sets
	// LastUpdated. It returns NotFound if the application does not exist.
	UpdateApplication(ctx context.Context, a *Application) error

	// DeleteApplication removes the application with its flows, their
	// versions, storage, logs and queued runs, and the application's API
	// tokens. It returns NotFound if the application does not exist.
	DeleteApplication(ctx context.Context, id string) error
}
