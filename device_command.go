package weir

import (
	"context"
	"encoding/json"
	"time"
)

// DefaultCommandLimit is how many commands getCommand returns unless told.
const DefaultCommandLimit = 1

// DeviceCommand is a command sent to a device: a name, an optional JSON
// payload and the time it was sent.
type DeviceCommand struct {
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Time    time.Time       `json:"time"`
}

// Validate checks the command's name length.
func (c *DeviceCommand) Validate() error {
	if n := len([]rune(c.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	return nil
}

// CommandFilter selects the commands sent to one device whose time is within
// [Start, End] (zero: unbounded): the Limit latest, newest first, or with
// Ascending the Limit earliest, oldest first.
type CommandFilter struct {
	ApplicationID string
	DeviceID      string
	Start, End    time.Time
	Limit         int // 0: DefaultCommandLimit
	Ascending     bool
}

// DeviceCommandService keeps the commands sent to devices.
type DeviceCommandService interface {
	// AddDeviceCommand records c as sent to the device. It returns NotFound
	// ("Device was not found") unless the application has the device, and
	// Validation when c does not validate.
	AddDeviceCommand(ctx context.Context, applicationID, deviceID string, c *DeviceCommand) error

	// FindDeviceCommands returns the commands the filter selects. It returns
	// NotFound like AddDeviceCommand.
	FindDeviceCommands(ctx context.Context, filter CommandFilter) ([]DeviceCommand, error)
}

// CommandSender delivers a command to a connected device (over MQTT, on
// losant/{deviceId}/command). Delivery is at most once: a device that is
// not connected misses the command, as on Losant.
type CommandSender interface {
	SendCommand(ctx context.Context, applicationID, deviceID string, c *DeviceCommand) error
}
