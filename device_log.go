package weir

import (
	"context"
	"encoding/json"
	"time"
)

// MaxDeviceLogEntries is how many connection log entries a device keeps:
// recording one more deletes the oldest.
const MaxDeviceLogEntries = 200

// DefaultDeviceLogLimit is how many entries getLogEntries returns unless
// told, as on Losant.
const DefaultDeviceLogLimit = 1

// DeviceLogEntry is one entry of a device's connection log: it connected
// or disconnected at Time. A disconnect carries its reason and the number of
// messages the connection carried each way.
type DeviceLogEntry struct {
	Connected          bool
	Time               time.Time
	DisconnectReason   string
	MessagesFromClient int
	MessagesToClient   int
	IPAddress          string
}

// MarshalJSON encodes the entry as Losant's deviceLog items: connected is 1
// or 0, and the disconnect fields appear on disconnects only.
func (e DeviceLogEntry) MarshalJSON() ([]byte, error) {
	type entry struct {
		Connected          int    `json:"connected"`
		Time               string `json:"time"`
		DisconnectReason   string `json:"disconnectReason,omitempty"`
		MessagesFromClient *int   `json:"messagesFromClient,omitempty"`
		MessagesToClient   *int   `json:"messagesToClient,omitempty"`
		IPAddress          string `json:"ipAddress,omitempty"`
	}
	out := entry{Time: e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), IPAddress: e.IPAddress}
	if e.Connected {
		out.Connected = 1
	} else {
		out.DisconnectReason = e.DisconnectReason
		out.MessagesFromClient, out.MessagesToClient = &e.MessagesFromClient, &e.MessagesToClient
	}
	return json.Marshal(out)
}

// DeviceLogFilter selects the connection log entries of one device whose
// time is within [Start, End] (zero: unbounded): the Limit latest, newest
// first, or with Ascending the Limit earliest, oldest first.
type DeviceLogFilter struct {
	ApplicationID string
	DeviceID      string
	Start, End    time.Time
	Limit         int // 0: DefaultDeviceLogLimit; at most MaxDeviceLogEntries are kept
	Ascending     bool
}

// DeviceLogService reads the connection logs of devices, which
// DeviceService.SetConnectionStatus writes.
type DeviceLogService interface {
	// FindDeviceLogEntries returns the entries the filter selects. It
	// returns NotFound ("Device was not found") unless the application has
	// the device.
	FindDeviceLogEntries(ctx context.Context, filter DeviceLogFilter) ([]DeviceLogEntry, error)
}
