package engine

import (
	"context"

	"github.com/weirhq/weir"
)

// Events is how events are created and changed, by the REST API and by the
// event nodes alike: creation within the per-application rate limit, and
// the Event triggers told of every creation and change once committed.
type Events struct {
	Events  weir.EventService
	Handler weir.EventHandler // Event triggers; nil: none fire
	Limiter Limiter           // event creations per application; nil: no limit
	// Devices, when set, checks an event's device before the limit is
	// spent, so that no refused event spends it.
	Devices weir.DeviceService
}

// Create stores e (state new unless set) and tells the Event triggers.
// Over the rate limit it returns a *ThrottledError and stores nothing.
func (x *Events) Create(ctx context.Context, e *weir.Event) error {
	if e.State == "" {
		e.State = weir.EventNew
	}
	if err := e.Validate(); err != nil {
		return err // a refused event spends no share of the limit
	}
	if e.DeviceID != "" && x.Devices != nil {
		_, err := x.Devices.FindDeviceByID(ctx, e.ApplicationID, e.DeviceID)
		if weir.ErrorTypeOf(err) == weir.NotFound {
			return weir.Errorf(weir.Validation, "deviceId %s is not a device of the application", e.DeviceID)
		} else if err != nil {
			return err
		}
	}
	if x.Limiter != nil {
		if ok, wait := x.Limiter.Allow(e.ApplicationID); !ok {
			return &ThrottledError{RetryAfter: wait}
		}
	}
	if err := x.Events.CreateEvent(ctx, e); err != nil {
		return err
	}
	return x.changed(ctx, []*weir.Event{nil}, []*weir.Event{e})
}

// Update applies p to one event and tells the Event triggers.
func (x *Events) Update(ctx context.Context, applicationID, id string, p weir.EventPatch, src weir.EventSource) (*weir.Event, error) {
	old, e, err := x.Events.UpdateEvent(ctx, applicationID, id, p, src)
	if err != nil {
		return nil, err
	}
	return e, x.changed(ctx, []*weir.Event{old}, []*weir.Event{e})
}

// UpdateMany applies p to every event the filter selects and tells the
// Event triggers of each; it returns the events as updated.
func (x *Events) UpdateMany(ctx context.Context, filter weir.EventFilter, p weir.EventPatch, src weir.EventSource) ([]*weir.Event, error) {
	old, es, err := x.Events.UpdateEvents(ctx, filter, p, src)
	if err != nil {
		return nil, err
	}
	return es, x.changed(ctx, old, es)
}

func (x *Events) changed(ctx context.Context, old, es []*weir.Event) error {
	if x.Handler == nil || len(es) == 0 {
		return nil
	}
	return x.Handler.EventsChanged(ctx, old, es)
}
