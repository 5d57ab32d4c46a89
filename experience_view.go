package weir

import (
	"context"
	"strings"
	"time"
)

// Experience view types, as Losant names them.
const (
	ViewLayout    = "layout"
	ViewPage      = "page"
	ViewComponent = "component"
)

// Limits of a view's fields, from Losant's experience view schema.
const (
	MaxViewBody     = 131072 // characters
	MaxViewTags     = 100
	MaxViewHeaders  = 100
	maxViewNameLen  = 255
	maxViewDescLen  = 32767
	maxViewHeaderLn = 1024
)

// ExperienceView is one Handlebars view of an application's experience: a
// layout that wraps pages, a page an Endpoint Reply renders, or a component
// that layouts, pages and other components include by name. Views belong to
// the experience's develop version.
type ExperienceView struct {
	ID            string            `json:"id"`
	ApplicationID string            `json:"applicationId"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	ViewType      string            `json:"viewType"`
	LayoutID      string            `json:"-"` // pages only; "" for none
	Body          string            `json:"body"`
	Headers       map[string]string `json:"headers,omitempty"` // a page's reply headers
	ViewTags      map[string]string `json:"viewTags"`
	CreationDate  time.Time         `json:"creationDate"`
	LastUpdated   time.Time         `json:"lastUpdated"`
}

// Validate checks the structural rules of a view: name, type, body, tags
// and headers as Losant's schema has them; only pages have a layout.
func (v *ExperienceView) Validate() error {
	if n := len([]rune(v.Name)); n < 1 || n > maxViewNameLen {
		return Errorf(Validation, "name must be between 1 and %d characters", maxViewNameLen)
	}
	if len([]rune(v.Description)) > maxViewDescLen {
		return Errorf(Validation, "description is longer than %d characters", maxViewDescLen)
	}
	switch v.ViewType {
	case ViewLayout, ViewPage, ViewComponent:
	default:
		return Errorf(Validation, "viewType must be one of layout, page, component")
	}
	if v.LayoutID != "" && (v.ViewType != ViewPage || !ValidID(v.LayoutID)) {
		return Errorf(Validation, "layoutId must be the id of a layout and is allowed on pages only")
	}
	if n := len([]rune(v.Body)); n < 1 || n > MaxViewBody {
		return Errorf(Validation, "body must be between 1 and %d characters", MaxViewBody)
	}
	if len(v.ViewTags) > MaxViewTags {
		return Errorf(Validation, "viewTags has more than %d items", MaxViewTags)
	}
	for k, val := range v.ViewTags {
		if !validTagKey(k) {
			return Errorf(Validation, "viewTags key %q pattern mismatch", k)
		}
		if n := len([]rune(val)); n < 1 || n > 255 {
			return Errorf(Validation, "viewTags values must be between 1 and 255 characters")
		}
	}
	if len(v.Headers) > MaxViewHeaders {
		return Errorf(Validation, "headers has more than %d items", MaxViewHeaders)
	}
	for k, val := range v.Headers {
		if !validHeaderName(k) || len(val) > maxViewHeaderLn || strings.ContainsAny(val, "\r\n\x00") {
			return Errorf(Validation, "header %q is not a valid HTTP header", k)
		}
	}
	return nil
}

// validHeaderName reports whether s is an HTTP header name (a token).
func validHeaderName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// ExperienceViewFilter selects views of one application.
type ExperienceViewFilter struct {
	ApplicationID string
	ViewType      string // "": any type
	ListOptions          // SortField name (default), id, creationDate, lastUpdated; FilterField name
}

// ExperienceViewService manages experience views.
type ExperienceViewService interface {
	// FindExperienceViewByID returns NotFound ("Experience view was not
	// found") unless the application has a view with that id.
	FindExperienceViewByID(ctx context.Context, applicationID, id string) (*ExperienceView, error)

	// FindExperienceViewByName returns the application's view of the type
	// with that name, or NotFound like FindExperienceViewByID.
	FindExperienceViewByName(ctx context.Context, applicationID, viewType, name string) (*ExperienceView, error)

	// FindExperienceViews returns one page of the views the filter selects
	// and the number selected across pages.
	FindExperienceViews(ctx context.Context, filter ExperienceViewFilter) ([]*ExperienceView, int, error)

	// CreateExperienceView stores a new view and sets ID (when empty),
	// CreationDate and LastUpdated. It returns Validation when v does not
	// validate, another view of its type has its name, or its layoutId is
	// not a layout of the application; NotFound ("Application was not
	// found") when the application does not exist.
	CreateExperienceView(ctx context.Context, v *ExperienceView) error

	// UpdateExperienceView replaces the stored view's settings with v's
	// (its type stays) and sets LastUpdated and CreationDate on v. It
	// returns NotFound and Validation like Find and Create.
	UpdateExperienceView(ctx context.Context, v *ExperienceView) error

	// DeleteExperienceView removes the view; pages using a deleted layout
	// are left without one. It returns NotFound like FindExperienceViewByID.
	DeleteExperienceView(ctx context.Context, applicationID, id string) error
}
