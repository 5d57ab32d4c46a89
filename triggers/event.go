package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
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

// EventChanged queues the runs of the Event triggers e matches: on
// creation (old nil), and when its state changed.
func (x *Events) EventChanged(ctx context.Context, old, e *weir.Event) error {
	if old != nil && old.State == e.State {
		return nil
	}
	flows, _, err := x.Flows.FindFlows(ctx, weir.FlowFilter{ApplicationID: e.ApplicationID, FlowClass: weir.FlowClassCloud})
	if err != nil {
		return fmt.Errorf("event triggers: read flows: %w", err)
	}
	var data []byte
	for _, f := range flows {
		if !f.Enabled {
			continue
		}
		v, err := engine.ResolveVersion(ctx, x.Versions, f, "")
		if err != nil || !v.Enabled {
			continue
		}
		for _, t := range v.Def.Triggers {
			if t.Type != TriggerEvent || !strings.EqualFold(t.Key, "any") && !strings.EqualFold(t.Key, e.Level) {
				continue
			}
			var cfg eventConfig
			if len(t.Config) > 0 {
				_ = json.Unmarshal(t.Config, &cfg)
			}
			if !cfg.fires(e.State, e.Subject) {
				continue
			}
			if data == nil {
				if data, err = eventRunData(e); err != nil {
					return err
				}
			}
			run := &weir.Run{
				ID: weir.NewID(), ApplicationID: e.ApplicationID, FlowID: f.ID, FlowVersion: v.Name,
				TriggerType: TriggerEvent, TriggerKey: t.Key, TriggerID: t.Key, RelayType: "event", RelayID: e.ID,
				Time: e.LastUpdated.UTC().Truncate(time.Millisecond), Data: data,
			}
			if err := x.Queue.EnqueueRun(ctx, run); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
				x.logger().Error("event triggers: enqueue run", "flow_id", f.ID, "event_id", e.ID, "err", err)
				return err
			}
		}
	}
	return nil
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
