package weir

import (
	"context"
	"time"
)

// Device classes, as Losant names them.
const (
	DeviceStandalone  = "standalone"
	DeviceGateway     = "gateway"
	DevicePeripheral  = "peripheral"
	DeviceFloating    = "floating"
	DeviceEdgeCompute = "edgeCompute"
	DeviceSystem      = "system"
	DeviceEmbedded    = "embedded"
)

// Attribute data types, as Losant names them.
const (
	AttributeNumber  = "number"
	AttributeString  = "string"
	AttributeBoolean = "boolean"
	AttributeGPS     = "gps"
	AttributeBlob    = "blob"
)

// Limits of a device's fields, from Losant's device schema.
const (
	MaxDeviceTags       = 100
	MaxDeviceAttributes = 256
)

// Device is a thing that reports state and receives commands: a sensor, a
// gateway, a machine. Its attributes declare the state it may report.
type Device struct {
	ID             string            `json:"id"`
	ApplicationID  string            `json:"applicationId"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	DeviceClass    string            `json:"deviceClass"`
	GatewayID      string            `json:"gatewayId,omitempty"`
	ParentID       string            `json:"parentId,omitempty"`    // the device above it in the hierarchy, in its application
	AncestorIDs    []string          `json:"ancestorIds,omitempty"` // set by the store: from the top of the hierarchy down to ParentID
	Tags           []DeviceTag       `json:"tags"`
	Attributes     []DeviceAttribute `json:"attributes"`
	KeepDuplicates bool              `json:"keepDuplicates,omitempty"`
	Connection     ConnectionInfo    `json:"connectionInfo"`
	CreationDate   time.Time         `json:"creationDate"`
	LastUpdated    time.Time         `json:"lastUpdated"`
}

// DeviceTag is one key=value tag of a device; a key may occur several times.
type DeviceTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DeviceAttribute declares one attribute of a device's state.
type DeviceAttribute struct {
	Name        string `json:"name"`
	DataType    string `json:"dataType"`
	ContentType string `json:"contentType,omitempty"` // blob attributes only
	Description string `json:"description,omitempty"`
}

// ConnectionInfo is a device's last known connection status. Connected is
// nil until the device first connects or disconnects. Its JSON is Losant's:
// {"connected": 1, 0 or null, "time": …}.
type ConnectionInfo struct {
	Connected *bool
	Time      time.Time
}

// MarshalJSON encodes the status as Losant does.
func (c ConnectionInfo) MarshalJSON() ([]byte, error) {
	if c.Connected == nil {
		return []byte(`{"connected":null}`), nil
	}
	n := "0"
	if *c.Connected {
		n = "1"
	}
	t, err := c.Time.UTC().MarshalJSON()
	if err != nil {
		return nil, err
	}
	return []byte(`{"connected":` + n + `,"time":` + string(t) + `}`), nil
}

// Validate checks the structural rules of a device: name, class, tags and
// attributes as Losant's schema has them.
func (d *Device) Validate() error {
	if n := len([]rune(d.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	if len([]rune(d.Description)) > 32767 {
		return Errorf(Validation, "description is longer than 32767 characters")
	}
	switch d.DeviceClass {
	case DeviceStandalone, DeviceGateway, DevicePeripheral, DeviceFloating, DeviceEdgeCompute, DeviceSystem, DeviceEmbedded:
	default:
		return Errorf(Validation, "deviceClass must be an enum value")
	}
	if d.GatewayID != "" && !ValidID(d.GatewayID) {
		return Errorf(Validation, "gatewayId pattern mismatch")
	}
	if d.ParentID != "" && !ValidID(d.ParentID) {
		return Errorf(Validation, "parentId pattern mismatch")
	}
	if d.ParentID != "" && d.ParentID == d.ID {
		return Errorf(Validation, "parentId must not be the device itself")
	}
	if len(d.Tags) > MaxDeviceTags {
		return Errorf(Validation, "tags has more than %d items", MaxDeviceTags)
	}
	for _, t := range d.Tags {
		if !validTagKey(t.Key) {
			return Errorf(Validation, "tag key %q pattern mismatch", t.Key)
		}
		if n := len([]rune(t.Value)); n < 1 || n > 255 {
			return Errorf(Validation, "tag value must be between 1 and 255 characters")
		}
	}
	if len(d.Attributes) > MaxDeviceAttributes {
		return Errorf(Validation, "attributes has more than %d items", MaxDeviceAttributes)
	}
	seen := make(map[string]bool, len(d.Attributes))
	for _, a := range d.Attributes {
		if !validTagKey(a.Name) {
			return Errorf(Validation, "attribute name %q pattern mismatch", a.Name)
		}
		if seen[a.Name] {
			return Errorf(Validation, "attribute %s is declared twice", a.Name)
		}
		seen[a.Name] = true
		switch a.DataType {
		case AttributeNumber, AttributeString, AttributeBoolean, AttributeGPS, AttributeBlob:
		default:
			return Errorf(Validation, "attribute %s dataType must be an enum value", a.Name)
		}
	}
	return nil
}

// Attribute returns the device's attribute named name and whether it has one.
func (d *Device) Attribute(name string) (DeviceAttribute, bool) {
	for _, a := range d.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return DeviceAttribute{}, false
}

// HasTag reports whether the device carries a tag matching key and value;
// an empty key or value matches any.
func (d *Device) HasTag(key, value string) bool {
	for _, t := range d.Tags {
		if (key == "" || t.Key == key) && (value == "" || t.Value == value) {
			return true
		}
	}
	return false
}

// TagsObject returns the device's tags as Losant's tagsAsObject form:
// each key with its values in order.
func (d *Device) TagsObject() map[string][]string {
	out := make(map[string][]string, len(d.Tags))
	for _, t := range d.Tags {
		out[t.Key] = append(out[t.Key], t.Value)
	}
	return out
}

// validTagKey reports whether s is 1–255 characters of [0-9a-zA-Z_-], the
// pattern of tag keys and attribute names.
func validTagKey(s string) bool {
	return s != "" && validWebhookToken(s)
}

// DeviceFilter selects devices of one application. Every set condition must
// hold.
type DeviceFilter struct {
	ApplicationID string
	IDs           []string     // nil: any; otherwise one of these
	ParentID      string       // "": any; otherwise the device's parent
	DeviceClass   []string     // nil: any class
	Tags          []TagFilter  // each must match some tag of the device
	Query         *DeviceQuery // nil: none; else the device must match it
	ListOptions                // SortField name (default), id, creationDate, lastUpdated, deviceClass; FilterField name
}

// TagFilter matches a device carrying a tag with Key and Value; an empty
// side matches any, as in Losant's deviceTagFilter.
type TagFilter struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// DeviceService manages devices. Deleting an application deletes its
// devices; deleting a device deletes its state, commands and connection
// log.
type DeviceService interface {
	// FindDeviceByID returns NotFound ("Device was not found") unless the
	// application has a device with that id.
	FindDeviceByID(ctx context.Context, applicationID, id string) (*Device, error)

	// FindDevices returns one page of the devices the filter selects and the
	// number selected across pages. An unknown sort or filter field returns
	// Validation.
	FindDevices(ctx context.Context, filter DeviceFilter) ([]*Device, int, error)

	// CreateDevice stores a new device; it sets ID (when empty),
	// CreationDate, LastUpdated and AncestorIDs. It returns Validation when
	// d does not validate, its ID is taken or its ParentID names no device
	// of its application, and NotFound ("Application was not found") when
	// its application does not exist.
	CreateDevice(ctx context.Context, d *Device) error

	// UpdateDevice replaces the stored device's settings with d's and sets
	// LastUpdated and AncestorIDs; CreationDate and the connection status
	// keep their stored values (and are set on d). An attribute whose data
	// type changed loses its history. A new ParentID moves the device with
	// everything below it. It returns NotFound like FindDeviceByID, and
	// Validation when d does not validate or its ParentID names no device of
	// its application, or the device itself or one below it (a cycle).
	UpdateDevice(ctx context.Context, d *Device) error

	// DeleteDevice removes the device with its state history and commands.
	// Its children move up to its parent (or to the top of the hierarchy).
	// It returns NotFound like FindDeviceByID.
	DeleteDevice(ctx context.Context, applicationID, id string) error

	// SetConnectionStatus records e.Connected, as of e.Time, as the
	// device's connection status, adds e to its connection log (keeping the
	// newest MaxDeviceLogEntries) and returns the device. It returns
	// NotFound like FindDeviceByID.
	SetConnectionStatus(ctx context.Context, applicationID, id string, e DeviceLogEntry) (*Device, error)
}

// DeviceEventHandler hears of what happens to devices once it is committed:
// state reports kept and connection changes. Device triggers start runs
// from these calls; an error means the runs could not be queued.
type DeviceEventHandler interface {
	// DeviceStates is called with the reports of d that were kept.
	DeviceStates(ctx context.Context, d *Device, states []DeviceState) error
	// DeviceConnection is called when d connected or disconnected; info
	// holds Losant's connect or disconnect data.
	DeviceConnection(ctx context.Context, d *Device, connected bool, info map[string]any) error
	// DeviceCreated is called when d was created one by one (REST or the
	// Create Device node).
	DeviceCreated(ctx context.Context, d *Device) error
	// DeviceCommand is called when c was sent to d (REST or the Device:
	// Command node), once it is recorded.
	DeviceCommand(ctx context.Context, d *Device, c *DeviceCommand) error
}
