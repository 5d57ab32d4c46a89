package weir

import (
	"context"
	"slices"
	"time"
)

// Application key statuses.
const (
	KeyActive   = "active"
	KeyInactive = "inactive"
)

// ApplicationKey is an access key devices authenticate with: a public key and
// a secret handed out once, at creation, and stored only hashed. A key with
// DeviceIDs or DeviceTags reaches only the devices they name.
type ApplicationKey struct {
	ID            string      `json:"id"`
	ApplicationID string      `json:"applicationId"`
	Key           string      `json:"key"`
	SecretHash    string      `json:"-"`
	Status        string      `json:"status"`
	Description   string      `json:"description,omitempty"`
	DeviceIDs     []string    `json:"deviceIds,omitempty"`
	DeviceTags    []DeviceTag `json:"deviceTags,omitempty"`
	FilterType    string      `json:"filterType,omitempty"` // TopicFilter*: how PubTopics and SubTopics restrict the free topics (AllowsTopic)
	PubTopics     []string    `json:"pubTopics,omitempty"`
	SubTopics     []string    `json:"subTopics,omitempty"`
	CreationDate  time.Time   `json:"creationDate"`
	LastUpdated   time.Time   `json:"lastUpdated"`
}

// Validate checks the structural rules of a key.
func (k *ApplicationKey) Validate() error {
	if k.Key == "" || k.SecretHash == "" {
		return Errorf(Validation, "key and secret are required")
	}
	if k.Status != KeyActive && k.Status != KeyInactive {
		return Errorf(Validation, "status must be an enum value")
	}
	if len([]rune(k.Description)) > 32767 {
		return Errorf(Validation, "description is longer than 32767 characters")
	}
	if len(k.DeviceIDs) > 1000 {
		return Errorf(Validation, "deviceIds has more than 1000 items")
	}
	for _, id := range k.DeviceIDs {
		if !ValidID(id) {
			return Errorf(Validation, "deviceIds pattern mismatch")
		}
	}
	for _, topics := range [][]string{k.PubTopics, k.SubTopics} {
		for _, f := range topics {
			if !ValidTopicFilter(f) || len(f) > 1024 {
				return Errorf(Validation, "pubTopics and subTopics items must be MQTT topic filters of 1 to 1024 characters; %q is not", f)
			}
		}
	}
	if len(k.DeviceTags) > MaxDeviceTags {
		return Errorf(Validation, "deviceTags has more than %d items", MaxDeviceTags)
	}
	for _, t := range k.DeviceTags {
		if !validTagKey(t.Key) {
			return Errorf(Validation, "deviceTags key pattern mismatch")
		}
	}
	return nil
}

// Allows reports whether the key may authenticate d: it is active, of d's
// application, and either unrestricted or naming d by id or by one of its
// tags.
func (k *ApplicationKey) Allows(d *Device) bool {
	if k.Status != KeyActive || k.ApplicationID != d.ApplicationID {
		return false
	}
	if len(k.DeviceIDs) == 0 && len(k.DeviceTags) == 0 {
		return true
	}
	if slices.Contains(k.DeviceIDs, d.ID) {
		return true
	}
	for _, t := range k.DeviceTags {
		if d.HasTag(t.Key, t.Value) {
			return true
		}
	}
	return false
}

// NewAccessKey returns a random access key, its public part.
func NewAccessKey() string { return NewKey(36) }

// NewAccessSecret returns a random access secret: 64 characters, 384 bits.
func NewAccessSecret() string { return NewKey(64) }

// ApplicationKeyFilter selects the keys of one application.
type ApplicationKeyFilter struct {
	ApplicationID string
	ListOptions   // SortField key (default), status, id, creationDate, lastUpdated; FilterField key, status
}

// ApplicationKeyService manages access keys. Deleting an application
// deletes its keys.
type ApplicationKeyService interface {
	// FindApplicationKeyByID returns NotFound ("Application key was not
	// found") unless the application has a key with that id. An empty
	// applicationID matches any application (device tokens name only the
	// key).
	FindApplicationKeyByID(ctx context.Context, applicationID, id string) (*ApplicationKey, error)

	// FindApplicationKeyByKey returns the key whose public part is key, in
	// any application, or NotFound like FindApplicationKeyByID.
	FindApplicationKeyByKey(ctx context.Context, key string) (*ApplicationKey, error)

	// FindApplicationKeys returns one page of an application's keys and the
	// number matching the filter.
	FindApplicationKeys(ctx context.Context, filter ApplicationKeyFilter) ([]*ApplicationKey, int, error)

	// CreateApplicationKey stores a new key; it sets ID (when empty),
	// CreationDate and LastUpdated. It returns Validation when k does not
	// validate or its key is taken, and NotFound ("Application was not
	// found") when its application does not exist.
	CreateApplicationKey(ctx context.Context, k *ApplicationKey) error

	// UpdateApplicationKey replaces the stored key's status, description,
	// filter type and topics with k's and sets LastUpdated; everything else
	// keeps its stored value (set on k). It returns NotFound like
	// FindApplicationKeyByID.
	UpdateApplicationKey(ctx context.Context, k *ApplicationKey) error

	// DeleteApplicationKey removes the key; devices can no longer
	// authenticate with it. It returns NotFound like FindApplicationKeyByID.
	DeleteApplicationKey(ctx context.Context, applicationID, id string) error
}
