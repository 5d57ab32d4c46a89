package engine

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// deviceStreamSlot is how many events a device stream subscriber buffers
// before it misses some.
const deviceStreamSlot = 256

// Device stream event types, as Losant names its Server-Sent Events.
const (
	DeviceStreamState   = "deviceState"
	DeviceStreamCommand = "deviceCommand"
)

// DeviceStreamEvent is one state report or command of a device, encoded
// once as JSON for every subscriber.
type DeviceStreamEvent struct {
	Type string // DeviceStreamState or DeviceStreamCommand
	Data []byte
}

// DeviceStreams is a weir.DeviceEventHandler that hands the state reports
// and commands it hears of to the live subscribers of each device, then
// passes every event on to Next. Handing out never blocks: a subscriber
// that falls behind misses events. It sees the events of this process
// only. It is safe for concurrent use.
type DeviceStreams struct {
	Next weir.DeviceEventHandler // nil: nothing further hears of the events

	mu   sync.Mutex
	subs map[string]map[chan DeviceStreamEvent]string // by application/device id: channel → type wanted
}

// Subscribe returns a channel of the events of type typ (DeviceStreamState
// or DeviceStreamCommand) of the device from now on. Call cancel to stop
// receiving; the channel is then closed.
func (h *DeviceStreams) Subscribe(applicationID, deviceID, typ string) (events <-chan DeviceStreamEvent, cancel func()) {
	key := applicationID + "/" + deviceID
	ch := make(chan DeviceStreamEvent, deviceStreamSlot)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[string]map[chan DeviceStreamEvent]string{}
	}
	if h.subs[key] == nil {
		h.subs[key] = map[chan DeviceStreamEvent]string{}
	}
	h.subs[key][ch] = typ
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			delete(h.subs[key], ch)
			if len(h.subs[key]) == 0 {
				delete(h.subs, key)
			}
			close(ch)
		})
	}
}

// publish hands the values encode yields, as events of type typ, to the
// device's subscribers that want them; it encodes nothing when none do.
func (h *DeviceStreams) publish(d *weir.Device, typ string, values func(yield func(any) bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.subs[d.ApplicationID+"/"+d.ID]
	wanted := false
	for _, t := range subs {
		wanted = wanted || t == typ
	}
	if !wanted {
		return
	}
	for v := range values {
		data, err := json.Marshal(v)
		if err != nil {
			continue
		}
		for ch, t := range subs {
			if t != typ {
				continue
			}
			select {
			case ch <- DeviceStreamEvent{Type: typ, Data: data}:
			default: // the subscriber is behind; it misses this one
			}
		}
	}
}

// streamState is a state report as device.stateStream sends it.
type streamState struct {
	Time time.Time      `json:"time"`
	Data map[string]any `json:"data"`
}

// DeviceStates hands the reports to the device's state streams, then to Next.
func (h *DeviceStreams) DeviceStates(ctx context.Context, d *weir.Device, states []weir.DeviceState) error {
	h.publish(d, DeviceStreamState, func(yield func(any) bool) {
		for _, s := range states {
			if !yield(streamState{Time: s.Time, Data: s.Data}) {
				return
			}
		}
	})
	if h.Next == nil {
		return nil
	}
	return h.Next.DeviceStates(ctx, d, states)
}

// DeviceCommand hands the command to the device's command streams, then to
// Next.
func (h *DeviceStreams) DeviceCommand(ctx context.Context, d *weir.Device, c *weir.DeviceCommand) error {
	h.publish(d, DeviceStreamCommand, func(yield func(any) bool) { yield(c) })
	if h.Next == nil {
		return nil
	}
	return h.Next.DeviceCommand(ctx, d, c)
}

// DeviceConnection passes the change on to Next.
func (h *DeviceStreams) DeviceConnection(ctx context.Context, d *weir.Device, connected bool, info map[string]any) error {
	if h.Next == nil {
		return nil
	}
	return h.Next.DeviceConnection(ctx, d, connected, info)
}

// DeviceCreated passes the creation on to Next.
func (h *DeviceStreams) DeviceCreated(ctx context.Context, d *weir.Device) error {
	if h.Next == nil {
		return nil
	}
	return h.Next.DeviceCreated(ctx, d)
}
