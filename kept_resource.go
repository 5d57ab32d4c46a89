package weir

import (
	"context"
	"encoding/json"
	"time"
)

// The kinds of KeptResource: resources of a Losant application weir keeps
// for a round trip of the application but does not run.
const (
	KeptDashboard   = "dashboard"
	KeptNotebook    = "notebook"
	KeptResourceJob = "resourceJob"
)

// MaxKeptDocument caps the JSON document of one kept resource.
const MaxKeptDocument = 512 << 10

// KeptResource is a dashboard, notebook or resource job of an application,
// kept as the document it was created with (its placeholders resolved by
// the import) so that an export writes it back; weir renders no dashboard
// and runs no notebook or job.
type KeptResource struct {
	ID            string
	ApplicationID string
	Kind          string // KeptDashboard, KeptNotebook or KeptResourceJob
	Name          string
	// Document is the resource as created: a JSON object, without id,
	// applicationId and dates, which the API adds.
	Document     json.RawMessage
	CreationDate time.Time
	LastUpdated  time.Time
}

// Validate checks a kept resource: a known kind, a name of 1 to 255
// characters and a JSON object document of at most MaxKeptDocument bytes.
func (k *KeptResource) Validate() error {
	switch k.Kind {
	case KeptDashboard, KeptNotebook, KeptResourceJob:
	default:
		return Errorf(Validation, "%q is not a kind weir keeps", k.Kind)
	}
	if n := len([]rune(k.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if len(k.Document) > MaxKeptDocument {
		return Errorf(Validation, "the %s is over %d bytes", k.Kind, MaxKeptDocument)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(k.Document, &obj) != nil || obj == nil {
		return Errorf(Validation, "the %s must be a JSON object", k.Kind)
	}
	return nil
}

// KeptResourceService keeps dashboards, notebooks and resource jobs.
type KeptResourceService interface {
	// CreateKeptResource stores k with a new ID and its dates. It returns
	// Validation when k does not validate and NotFound ("Application was
	// not found") when its application does not exist.
	CreateKeptResource(ctx context.Context, k *KeptResource) error

	// FindKeptResources returns the application's resources of one kind,
	// oldest first.
	FindKeptResources(ctx context.Context, applicationID, kind string) ([]*KeptResource, error)
}
