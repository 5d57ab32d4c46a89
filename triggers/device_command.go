package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weirhq/weir"
)

// DeviceCommand queues the runs of the deviceCommand triggers a command
// sent to d matches, in cloud, edge and embedded flows: a trigger keyed by
// a device id matches that device, one keyed "tagKey/tagValue" the devices
// carrying the tag, and any other key (Losant's exports use
// "deviceCommand" or a generated key: an edge flow hears the commands of
// the device it runs on) every device of the application. The run's data
// is {name, payload, time}; its triggerId is the trigger's key.
func (ds *Devices) DeviceCommand(ctx context.Context, d *weir.Device, c *weir.DeviceCommand) error {
	ix, err := triggerIndex(ctx, ds.Index, ds.Flows, ds.Versions, d.ApplicationID)
	if err != nil {
		return fmt.Errorf("device command triggers: read flows: %w", err)
	}
	var payload any
	if len(c.Payload) > 0 {
		if err := json.Unmarshal(c.Payload, &payload); err != nil {
			return err
		}
	}
	data := map[string]any{"name": c.Name, "payload": payload, "time": c.Time.UTC()}
	for _, t := range ix.DeviceCommands() {
		if !commandKeyMatches(d, t.Trigger.Key) {
			continue
		}
		m := deviceTrigger{flow: t.Flow, version: t.Version, t: t.Trigger}
		if err := ds.enqueueAs(ctx, d, m, data, c.Time, m.t.Key); err != nil {
			return err
		}
	}
	return nil
}

// commandKeyMatches reports whether a deviceCommand trigger keyed key
// hears the commands of d.
func commandKeyMatches(d *weir.Device, key string) bool {
	switch {
	case weir.ValidID(key):
		return strings.EqualFold(key, d.ID)
	case strings.Contains(key, "/"):
		return tagMatches(d, key)
	}
	return true
}
