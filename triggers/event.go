package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/weirhq/weir"
)

// TriggerEvent is the Event trigger's type, as Losant names it.
const TriggerEvent = "event"

// Events fires the Event triggers of the enabled flows of an event's
// application (their default versions) when an event is created, or
// changes state, into a state the trigger selects. A trigger's key is the
// level it listens to (info, warning, error, critical, or any); its config
// holds subject (a case-insensitive pattern, '*' any run of characters,
// blank any subject) and new, acknowledged, resolved (the states it fires
// on). Each match durably queues one run whose data is the event, with
// allUpdates and latestUpdate, and triggerId the key. It implements
// weir.EventHandler.
type Events struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Index    Indexer                 // nil: every change reads the flows
	Queue    weir.RunQueue
	Logger   *slog.Logger
}

// eventConfig is an Event trigger's config.
type eventConfig struct {
	Subject      string `json:"subject"`
	New          bool   `json:"new"`
	Acknowledged bool   `json:"acknowledged"`
	Resolved     bool   `json:"resolved"`
}

// fires reports whether an event in state with subject sets the trigger
// off.
func (c *eventConfig) fires(state, subject string) bool {
	on := map[string]bool{weir.EventNew: c.New, weir.EventAcknowledged: c.Acknowledged, weir.EventResolved: c.Resolved}[state]
	return on && weir.SubjectMatches(c.Subject, subject)
}

// eventTrigger is one Event trigger of an enabled flow's default version.
type eventTrigger struct {
	flow    *weir.Flow
	version string
	t       weir.Trigger
	cfg     eventConfig
}

// EventsChanged queues the runs of the Event triggers each event matches:
// on creation (its old entry nil), and when its state changed. The
// application's flows are read once per call.
func (x *Events) EventsChanged(ctx context.Context, old, events []*weir.Event) error {
	var ts []eventTrigger
	read := false
	for i, e := range events {
		if old[i] != nil && old[i].State == e.State {
			continue
		}
		if !read {
			var err error
			if ts, err = x.triggers(ctx, e.ApplicationID); err != nil {
				return err
			}
			read = true
		}
		var data []byte
		for _, m := range ts {
			if !strings.EqualFold(m.t.Key, "any") && !strings.EqualFold(m.t.Key, e.Level) || !m.cfg.fires(e.State, e.Subject) {
				continue
			}
			if data == nil {
				var err error
				if data, err = eventRunData(e); err != nil {
					return err
				}
			}
			run := &weir.Run{
				ID: weir.NewID(), ApplicationID: e.ApplicationID, FlowID: m.flow.ID, FlowVersion: m.version,
				TriggerType: TriggerEvent, TriggerKey: m.t.Key, TriggerID: m.t.Key, RelayType: "event", RelayID: e.ID,
				Time: e.LastUpdated.UTC().Truncate(time.Millisecond), Data: data,
			}
			if err := x.Queue.EnqueueRun(ctx, run); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
				x.logger().Error("event triggers: enqueue run", "flow_id", m.flow.ID, "event_id", e.ID, "err", err)
				return err
			}
		}
	}
	return nil
}

// triggers returns the Event triggers of the application's enabled flows
// (their default versions).
func (x *Events) triggers(ctx context.Context, applicationID string) ([]eventTrigger, error) {
	ix, err := triggerIndex(ctx, x.Index, x.Flows, x.Versions, applicationID)
	if err != nil {
		return nil, fmt.Errorf("event triggers: read flows: %w", err)
	}
	var out []eventTrigger
	for _, t := range ix.ByType(TriggerEvent) {
		m := eventTrigger{flow: t.Flow, version: t.Version, t: t.Trigger}
		if len(t.Trigger.Config) > 0 {
			_ = json.Unmarshal(t.Trigger.Config, &m.cfg)
		}
		out = append(out, m)
	}
	return out, nil
}

// eventRunData is an Event trigger run's data: the event with allUpdates
// (its updates) and latestUpdate (the last, or null).
func eventRunData(e *weir.Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["eventId"], m["allUpdates"], m["latestUpdate"] = e.ID, m["updates"], nil
	if n := len(e.Updates); n > 0 {
		m["latestUpdate"] = e.Updates[n-1]
	}
	return json.Marshal(m)
}

func (x *Events) logger() *slog.Logger {
	if x.Logger != nil {
		return x.Logger
	}
	return slog.New(slog.DiscardHandler)
}

var _ weir.EventHandler = (*Events)(nil)
