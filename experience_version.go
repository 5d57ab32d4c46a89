package weir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// ExperienceVersion holds the settings of an application's develop
// experience version, the one version weir keeps: its views and endpoints
// are the application's.
type ExperienceVersion struct {
	ApplicationID       string   `json:"applicationId"`
	Description         string   `json:"description"`
	EndpointDefaultCors bool     `json:"endpointDefaultCors"`
	AllowedCorsOrigins  []string `json:"allowedCorsOrigins"`
	// Globals are the version's own globals: runs an endpoint of the
	// experience starts, and the pages they render, see them over the
	// application's globals of the same key (and under the flow's).
	Globals []Global `json:"globals"`
	// UnauthorizedReply is what an endpoint of the experience without an
	// unauthorized reply of its own answers a request its access refuses;
	// nil: Losant's 401.
	UnauthorizedReply *UnauthorizedReply `json:"unauthorizedReply,omitempty"`
	CreationDate      time.Time          `json:"creationDate"` // zero until first changed
	LastUpdated       time.Time          `json:"lastUpdated"`
}

// DevelopVersionID returns the id of the application's develop experience
// version: derived from the application's id, and never equal to it.
func DevelopVersionID(applicationID string) string {
	sum := sha256.Sum256([]byte("experienceVersion develop " + applicationID))
	return hex.EncodeToString(sum[:12])
}

// Validate checks a version's settings as Losant's schema has them, and
// its globals and unauthorized reply as an application's globals and an
// endpoint's unauthorized reply.
func (v *ExperienceVersion) Validate() error {
	if len([]rune(v.Description)) > 32767 {
		return Errorf(Validation, "description is longer than 32767 characters")
	}
	if len(v.AllowedCorsOrigins) > 100 {
		return Errorf(Validation, "allowedCorsOrigins has more than 100 items")
	}
	for _, o := range v.AllowedCorsOrigins {
		if n := len([]rune(o)); n < 8 || n > 270 {
			return Errorf(Validation, "allowedCorsOrigins items must be between 8 and 270 characters")
		}
	}
	if err := ValidateGlobals(v.Globals); err != nil {
		return err
	}
	return v.UnauthorizedReply.Validate()
}

// ExperienceVersionService keeps the settings of develop experience
// versions.
type ExperienceVersionService interface {
	// FindExperienceVersion returns the application's develop version: its
	// stored settings, or the defaults when they were never changed.
	FindExperienceVersion(ctx context.Context, applicationID string) (*ExperienceVersion, error)

	// UpdateExperienceVersion stores v's settings and sets its dates. It
	// returns Validation when v does not validate and NotFound ("Application
	// was not found") when its application does not exist.
	UpdateExperienceVersion(ctx context.Context, v *ExperienceVersion) error
}
