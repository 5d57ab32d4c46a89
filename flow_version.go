package weir

import (
	"context"
	"time"
)

// DefaultVersion is the name a client may not give a version: it means
// "whichever version is the flow's default".
const DefaultVersion = "default"

// FlowVersion is a named, immutable snapshot of a flow's definition. Only
// Notes and Enabled change after it is created. Storage is not versioned: all
// versions of a flow share it.
type FlowVersion struct {
	ID                string       `json:"id"`
	FlowID            string       `json:"flowId"`
	ApplicationID     string       `json:"applicationId"`
	Version           string       `json:"version"` // name: 1–255 characters, not develop or default
	Notes             string       `json:"notes,omitempty"`
	Enabled           bool         `json:"enabled"`
	FlowClass         string       `json:"flowClass"`
	CreationDate      time.Time    `json:"creationDate"`
	LastUpdated       time.Time    `json:"lastUpdated"`
	CreatedByID       string       `json:"createdById,omitempty"`
	CreatedByType     string       `json:"createdByType,omitempty"`
	LastUpdatedByID   string       `json:"lastUpdatedById,omitempty"`
	LastUpdatedByType string       `json:"lastUpdatedByType,omitempty"`
	Stats             VersionStats `json:"stats"`
	Definition
}

// Validate checks the structural rules of a version: its name, notes and
// definition.
func (v *FlowVersion) Validate() error {
	if err := ValidateVersionName(v.Version); err != nil {
		return err
	}
	if len([]rune(v.Notes)) > 32767 {
		return Errorf(Validation, "notes has longer length than allowed")
	}
	return v.Definition.Validate()
}

// ValidateVersionName checks that name can name a version: 1–255 characters
// and neither develop nor default.
func ValidateVersionName(name string) error {
	if n := len([]rune(name)); n < 1 || n > 255 {
		return Errorf(Validation, "version must be between 1 and 255 characters")
	}
	if name == DevelopVersion || name == DefaultVersion {
		return Errorf(Validation, "version cannot be %q", name)
	}
	return nil
}

// FlowVersionFilter selects the versions of one flow.
type FlowVersionFilter struct {
	ApplicationID string
	FlowID        string
	ListOptions   // SortField version (default), id, creationDate or lastUpdated; FilterField version
}

// FlowVersionUpdate holds the changes a version accepts; nil fields stay.
type FlowVersionUpdate struct {
	Notes             *string
	Enabled           *bool
	LastUpdatedByID   string
	LastUpdatedByType string
}

// FlowVersionService manages the named versions of flows. Every lookup takes
// idOrName: a version id, or failing that a version name. Develop is not a
// stored version; its definition is the flow's own.
type FlowVersionService interface {
	// FindFlowVersion returns the version, with its run stats. It returns
	// NotFound ("Flow version was not found") unless the flow exists in that
	// application and has such a version.
	FindFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) (*FlowVersion, error)

	// FindFlowVersions returns one page of a flow's versions and the number
	// matching the filter; a missing flow has none. An unknown sort or
	// filter field returns Validation.
	FindFlowVersions(ctx context.Context, filter FlowVersionFilter) ([]*FlowVersion, int, error)

	// CreateFlowVersion stores v as a new version of its flow; it sets ID
	// (when empty), FlowClass (the flow's), CreationDate, LastUpdated and
	// Stats. A version of the same name returns Validation, unless
	// allowReplacement: then that version is replaced in place and keeps its
	// ID, CreationDate and creator, so a default version stays the default.
	// It returns NotFound ("Flow was not found") if the flow does not exist
	// in v.ApplicationID, and Validation for a name ValidateVersionName
	// refuses.
	CreateFlowVersion(ctx context.Context, v *FlowVersion, allowReplacement bool) error

	// UpdateFlowVersion applies upd to the version's notes and enabled flag,
	// sets LastUpdated and returns the stored version. It returns NotFound
	// like FindFlowVersion.
	UpdateFlowVersion(ctx context.Context, applicationID, flowID, idOrName string, upd FlowVersionUpdate) (*FlowVersion, error)

	// DeleteFlowVersion removes the version; its runs' logs and stats stay.
	// It returns Validation for develop and for the flow's default version,
	// and NotFound like FindFlowVersion.
	DeleteFlowVersion(ctx context.Context, applicationID, flowID, idOrName string) error
}
