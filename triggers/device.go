package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// The device trigger types, as Losant names them.
const (
	TriggerDeviceID            = "deviceId"
	TriggerDeviceTag           = "deviceTag"
	TriggerDeviceIDConnect     = "deviceIdConnect"
	TriggerDeviceTagConnect    = "deviceTagConnect"
	TriggerDeviceIDDisconnect  = "deviceIdDisconnect"
	TriggerDeviceTagDisconnect = "deviceTagDisconnect"
	TriggerDeviceCreate        = "deviceCreate"
	TriggerDeviceCommand       = engine.TriggerDeviceCommand
)

// Devices fires the device triggers of the enabled flows of a device's
// application (their default versions): deviceId and deviceTag on each kept
// state report, deviceIdConnect/deviceTagConnect and
// deviceIdDisconnect/deviceTagDisconnect on connection changes, deviceCreate
// when a device is created one by one (data {device}). A deviceId
// trigger's key is the device id; a deviceTag trigger's key is
// "tagKey/tagValue", either side empty matching any. Each match durably
// queues one run, as a virtual button press does, whose payload has
// Losant's shape: data (the report's attributes, or the connection data),
// time, triggerId (the device id), triggerType, deviceId, deviceName and
// deviceTags ({key: [values]}). It implements weir.DeviceEventHandler.
//
// State trigger config: triggerOn individual (default: one run per
// report), batch or both with batchBehavior once (one run for a batch of
// reports, data an array of {data, time}); attributeWhitelist /
// attributeBlacklist (a report fires only when it carries a listed /
// an unlisted attribute); maxAge in seconds (older reports do not fire).
type Devices struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Index    Indexer                 // nil: every event reads the flows
	Queue    weir.RunQueue
	Logger   *slog.Logger
	Now      func() time.Time
}

// deviceTrigger is one matched trigger of a flow version.
type deviceTrigger struct {
	flow    *weir.Flow
	version string
	t       weir.Trigger
}

// stateConfig is a state trigger's config.
type stateConfig struct {
	TriggerOn          string   `json:"triggerOn"`
	BatchBehavior      string   `json:"batchBehavior"`
	AttributeWhitelist []string `json:"attributeWhitelist"`
	AttributeBlacklist []string `json:"attributeBlacklist"`
	MaxAge             *float64 `json:"maxAge"`
}

// DeviceStates queues the runs of the state triggers d's reports match.
func (ds *Devices) DeviceStates(ctx context.Context, d *weir.Device, states []weir.DeviceState) error {
	matched, err := ds.match(ctx, d, TriggerDeviceID, TriggerDeviceTag)
	if err != nil || len(matched) == 0 {
		return err
	}
	now := ds.now()
	for _, m := range matched {
		var cfg stateConfig
		if len(m.t.Config) > 0 {
			_ = json.Unmarshal(m.t.Config, &cfg)
		}
		var firing []weir.DeviceState
		for _, st := range states {
			if cfg.fires(st, now) {
				firing = append(firing, st)
			}
		}
		if len(firing) == 0 {
			continue
		}
		if len(firing) > 1 && cfg.TriggerOn != "" && cfg.TriggerOn != "individual" && cfg.BatchBehavior == "once" {
			batch := make([]map[string]any, 0, len(firing))
			for _, st := range firing {
				batch = append(batch, map[string]any{"data": st.Data, "time": st.Time})
			}
			if err := ds.enqueue(ctx, d, m, batch, firing[len(firing)-1].Time); err != nil {
				return err
			}
			continue
		}
		for _, st := range firing {
			if err := ds.enqueue(ctx, d, m, st.Data, st.Time); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeviceConnection queues the runs of the connect or disconnect triggers d
// matches, with info as their data.
func (ds *Devices) DeviceConnection(ctx context.Context, d *weir.Device, connected bool, info map[string]any) error {
	idType, tagType := TriggerDeviceIDDisconnect, TriggerDeviceTagDisconnect
	if connected {
		idType, tagType = TriggerDeviceIDConnect, TriggerDeviceTagConnect
	}
	matched, err := ds.match(ctx, d, idType, tagType)
	if err != nil {
		return err
	}
	if info == nil {
		info = map[string]any{}
	}
	for _, m := range matched {
		if err := ds.enqueue(ctx, d, m, info, ds.now()); err != nil {
			return err
		}
	}
	return nil
}

// DeviceCreated queues the runs of the application's deviceCreate
// triggers, with data {device: the new device}.
func (ds *Devices) DeviceCreated(ctx context.Context, d *weir.Device) error {
	matched, err := ds.match(ctx, d, TriggerDeviceCreate, "")
	if err != nil {
		return err
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var device map[string]any
	if err := json.Unmarshal(doc, &device); err != nil {
		return err
	}
	device["deviceId"] = d.ID
	for _, m := range matched {
		if err := ds.enqueue(ctx, d, m, map[string]any{"device": device}, ds.now()); err != nil {
			return err
		}
	}
	return nil
}

// fires reports whether a report sets off a trigger with this config.
func (c *stateConfig) fires(st weir.DeviceState, now time.Time) bool {
	if c.MaxAge != nil && *c.MaxAge > 0 && now.Sub(st.Time) > time.Duration(*c.MaxAge*float64(time.Second)) {
		return false
	}
	if len(c.AttributeWhitelist) > 0 {
		ok := false
		for name := range st.Data {
			ok = ok || slices.Contains(c.AttributeWhitelist, name)
		}
		if !ok {
			return false
		}
	}
	if len(c.AttributeBlacklist) > 0 {
		ok := false
		for name := range st.Data {
			ok = ok || !slices.Contains(c.AttributeBlacklist, name)
		}
		if !ok {
			return false
		}
	}
	return true
}

// match returns the triggers of type idType keyed by d's id and of type
// tagType whose tag d carries, in the enabled flows of d's application.
func (ds *Devices) match(ctx context.Context, d *weir.Device, idType, tagType string) ([]deviceTrigger, error) {
	ix, err := triggerIndex(ctx, ds.Index, ds.Flows, ds.Versions, d.ApplicationID)
	if err != nil {
		return nil, fmt.Errorf("device triggers: read flows: %w", err)
	}
	var lists [][]engine.TriggerTarget
	if idType == TriggerDeviceCreate {
		lists = append(lists, ix.ByType(TriggerDeviceCreate))
	} else {
		lists = append(lists, ix.ByKey(idType, d.ID))
	}
	if tagType != "" && len(d.Tags) > 0 {
		var tagged []engine.TriggerTarget
		for _, t := range ix.ByType(tagType) {
			if tagMatches(d, t.Trigger.Key) {
				tagged = append(tagged, t)
			}
		}
		lists = append(lists, tagged)
	}
	ts := lists[0]
	if len(lists) > 1 && len(lists[1]) > 0 {
		ts = engine.MergeTargets(lists...)
	}
	out := make([]deviceTrigger, len(ts))
	for i, t := range ts {
		out[i] = deviceTrigger{flow: t.Flow, version: t.Version, t: t.Trigger}
	}
	return out, nil
}

// tagMatches reports whether d carries the tag key "k/v" names; an empty
// side matches any.
func tagMatches(d *weir.Device, key string) bool {
	k, v, ok := strings.Cut(key, "/")
	if !ok || k == "" && v == "" {
		return false
	}
	return d.HasTag(k, v)
}

// enqueue durably queues one run of trigger m for device d.
func (ds *Devices) enqueue(ctx context.Context, d *weir.Device, m deviceTrigger, data any, at time.Time) error {
	return ds.enqueueAs(ctx, d, m, data, at, d.ID)
}

// enqueueAs is enqueue with the run's triggerId.
func (ds *Devices) enqueueAs(ctx context.Context, d *weir.Device, m deviceTrigger, data any, at time.Time, triggerID string) error {
	// go-json encodes what encoding/json does, in half the time: these two
	// encodings were an eighth of weir's CPU for each MQTT state (bench M1).
	body, err := gojson.Marshal(data)
	if err != nil {
		return err
	}
	dev, err := gojson.Marshal(map[string]any{"deviceId": d.ID, "deviceName": d.Name, "deviceTags": d.TagsObject()})
	if err != nil {
		return err
	}
	run := &weir.Run{
		ID: weir.NewID(), ApplicationID: d.ApplicationID, FlowID: m.flow.ID, FlowVersion: m.version,
		TriggerType: m.t.Type, TriggerKey: m.t.Key, TriggerID: triggerID, RelayType: "device", RelayID: d.ID,
		Time: at.UTC().Truncate(time.Millisecond), Data: body, Device: dev,
	}
	if err := ds.enqueueRun(ctx, run); err != nil && weir.ErrorTypeOf(err) != weir.NotFound {
		ds.logger().Error("device triggers: enqueue run", "flow_id", m.flow.ID, "device_id", d.ID, "err", err)
		return err
	}
	return nil
}

// QueueFullWait bounds how long a device trigger waits for room when the
// run queue is full (weir.Unavailable). The report is already committed
// when its triggers fire, so waiting is better than giving up: the wait
// holds back the device's PUBACK or the REST reply, which slows the device
// to the pace its runs are executed at, where giving up would leave the
// report unacknowledged and the device would send it again.
const QueueFullWait = 30 * time.Second

// enqueueRun queues run, trying again while the queue is full, for up to
// QueueFullWait or until ctx ends. Each try queues the same run, so a run
// is queued at most once.
func (ds *Devices) enqueueRun(ctx context.Context, run *weir.Run) error {
	delay, deadline := 2*time.Millisecond, ds.now().Add(QueueFullWait)
	for {
		err := ds.Queue.EnqueueRun(ctx, run)
		if weir.ErrorTypeOf(err) != weir.Unavailable || !ds.now().Before(deadline) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

func (ds *Devices) now() time.Time {
	if ds.Now != nil {
		return ds.Now()
	}
	return time.Now()
}

func (ds *Devices) logger() *slog.Logger {
	if ds.Logger != nil {
		return ds.Logger
	}
	return slog.New(slog.DiscardHandler)
}

var _ weir.DeviceEventHandler = (*Devices)(nil)
