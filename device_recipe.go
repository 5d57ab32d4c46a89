package weir

import (
	"cmp"
	"context"
	"encoding/json"
	"time"
)

// MaxBulkCreateRows is how many devices one bulkCreate of a recipe may
// create.
const MaxBulkCreateRows = 1000

// DeviceRecipe is a template for new devices: the device fields it sets
// and a name and description of its own.
type DeviceRecipe struct {
	ID                string            `json:"id"`
	ApplicationID     string            `json:"applicationId"`
	Name              string            `json:"name"`
	Description       string            `json:"description,omitempty"`
	DeviceName        string            `json:"deviceName,omitempty"`
	DeviceDescription string            `json:"deviceDescription,omitempty"`
	DeviceClass       string            `json:"deviceClass"`
	GatewayID         string            `json:"gatewayId,omitempty"`
	ParentID          string            `json:"parentId,omitempty"`
	SystemInterval    int               `json:"systemInterval,omitempty"`
	KeepDuplicates    bool              `json:"keepDuplicates,omitempty"`
	Tags              []DeviceTag       `json:"tags"`
	Attributes        []RecipeAttribute `json:"attributes"`
	CreationDate      time.Time         `json:"creationDate"`
	LastUpdated       time.Time         `json:"lastUpdated"`
}

// RecipeAttribute is an attribute a recipe gives its devices, with the
// attribute tags and system attribute settings Losant's recipes carry
// (kept as given; the devices made from it take the attribute alone).
type RecipeAttribute struct {
	DeviceAttribute
	AttributeTags map[string]string `json:"attributeTags"`
	System        json.RawMessage   `json:"system,omitempty"`
}

// Validate checks the recipe's name and description lengths, then the
// device it describes as a Device would be checked. A blank device class
// becomes standalone.
func (r *DeviceRecipe) Validate() error {
	if n := len([]rune(r.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if len([]rune(r.Description)) > 32767 {
		return Errorf(Validation, "description is longer than 32767 characters")
	}
	if r.DeviceClass == "" {
		r.DeviceClass = DeviceStandalone
	}
	if r.ParentID != "" && !ValidID(r.ParentID) {
		return Errorf(Validation, "parentId pattern mismatch")
	}
	for i := range r.Attributes {
		if r.Attributes[i].AttributeTags == nil {
			r.Attributes[i].AttributeTags = map[string]string{}
		}
	}
	return r.NewDevice("", "").Validate()
}

// NewDevice returns a device of the recipe's application made from it,
// named name (blank: the recipe's device name, else its name) and
// described by description (blank: the recipe's device description).
func (r *DeviceRecipe) NewDevice(name, description string) *Device {
	d := &Device{
		ApplicationID:  r.ApplicationID,
		Name:           cmp.Or(name, r.DeviceName, r.Name),
		Description:    cmp.Or(description, r.DeviceDescription),
		DeviceClass:    r.DeviceClass,
		GatewayID:      r.GatewayID,
		ParentID:       r.ParentID,
		KeepDuplicates: r.KeepDuplicates,
		Tags:           append([]DeviceTag{}, r.Tags...),
		Attributes:     make([]DeviceAttribute, 0, len(r.Attributes)),
	}
	for _, a := range r.Attributes {
		d.Attributes = append(d.Attributes, a.DeviceAttribute)
	}
	return d
}

// DeviceRecipeFilter selects recipes of one application.
type DeviceRecipeFilter struct {
	ApplicationID string
	ListOptions   // SortField name (default), id, creationDate, lastUpdated; FilterField name
}

// DeviceRecipeService manages device recipes. Deleting an application
// deletes its recipes; deleting a recipe leaves the devices made from it.
type DeviceRecipeService interface {
	// FindDeviceRecipeByID returns NotFound ("Device recipe was not
	// found") unless the application has a recipe with that id.
	FindDeviceRecipeByID(ctx context.Context, applicationID, id string) (*DeviceRecipe, error)

	// FindDeviceRecipes returns one page of the recipes the filter selects
	// and the number selected across pages. An unknown sort or filter field
	// returns Validation.
	FindDeviceRecipes(ctx context.Context, filter DeviceRecipeFilter) ([]*DeviceRecipe, int, error)

	// CreateDeviceRecipe stores a new recipe; it sets ID (when empty),
	// CreationDate and LastUpdated. It returns Validation when r does not
	// validate or its ID is taken, and NotFound ("Application was not
	// found") when its application does not exist.
	CreateDeviceRecipe(ctx context.Context, r *DeviceRecipe) error

	// UpdateDeviceRecipe replaces the stored recipe's fields with r's and
	// sets LastUpdated (CreationDate keeps its stored value and is set on
	// r). It returns NotFound like FindDeviceRecipeByID and Validation when
	// r does not validate.
	UpdateDeviceRecipe(ctx context.Context, r *DeviceRecipe) error

	// DeleteDeviceRecipe removes the recipe. It returns NotFound like
	// FindDeviceRecipeByID.
	DeleteDeviceRecipe(ctx context.Context, applicationID, id string) error
}
