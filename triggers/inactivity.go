package triggers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// The device inactivity trigger types, as Losant names them.
const (
	TriggerDeviceIDInactivity  = "deviceIdInactivity"
	TriggerDeviceTagInactivity = "deviceTagInactivity"
)

// Inactivity fires the device inactivity triggers of every enabled flow's
// default version (cloud flows): deviceIdInactivity keyed by a device id,
// deviceTagInactivity keyed "tagKey/tagValue" (either side empty matching
// any), config {seconds} between 1 s and a year. A matching device that
// reported state and then nothing for seconds starts one run, whose payload
// has data {lastActivity, inactivitySeconds}, time the moment the silence
// reached seconds, triggerId the device id, relayType timer and relayId
// inactivity-<deviceId>-<seconds>; its next report re-arms the trigger.
// Only silences that began after the flow was last saved fire, as on Losant
// (a trigger waits for a report after it is saved).
//
// Each silence fires once across restarts and processes: it is marked in
// the store (weir.InactivityService) before its run is queued, with a run id
// derived from the silence, and marked done after; a silence found marked
// but not done is queued again (the queue refuses the id while the first
// run waits; NATS within its duplicate window), so a crash in between fires
// it at worst twice, never not at all; processes of a cluster checking the
// same silence queue the same id. Silences that ended while weir was down
// fire when it starts.
// A device's activity is the time of its latest report.
type Inactivity struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Devices  weir.DeviceService
	Marks    weir.InactivityService
	Queue    weir.RunQueue
	Logger   *slog.Logger
	Now      func() time.Time
	Every    time.Duration // how often silences are checked; default 1 s
	Refresh  time.Duration // how often flows are re-read; default 5 s

	mu      sync.Mutex
	watches []inactivityWatch
	read    time.Time                      // when the flows were last checked; zero before
	full    time.Time                      // when they were last read
	stamp   engine.FlowsStamp              // of the flows last read
	done    map[string]weir.InactivityMark // by flow/key/device: the silence known fired
	bg      background
}

// inactivityWatch is one inactivity trigger of a flow version.
type inactivityWatch struct {
	flow    *weir.Flow
	version string
	t       weir.Trigger
	seconds int64
}

// Open starts checking in the background.
func (in *Inactivity) Open() error {
	in.defaults()
	in.bg.start(in.loop)
	return nil
}

// Close stops checking and waits for the loop to end.
func (in *Inactivity) Close() error {
	in.bg.stop()
	return nil
}

func (in *Inactivity) defaults() {
	if in.Now == nil {
		in.Now = time.Now
	}
	if in.Logger == nil {
		in.Logger = slog.New(slog.DiscardHandler)
	}
	if in.Every <= 0 {
		in.Every = time.Second
	}
	if in.Refresh <= 0 {
		in.Refresh = 5 * time.Second
	}
}

func (in *Inactivity) loop(ctx context.Context) {
	tick := time.NewTicker(in.Every)
	defer tick.Stop()
	for {
		if err := in.Check(ctx); err != nil && ctx.Err() == nil {
			in.Logger.Error("inactivity triggers: check", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Check runs one pass: it re-reads the flows when Refresh has passed and
// queues a run for every silence due and not fired yet.
func (in *Inactivity) Check(ctx context.Context) error {
	in.defaults()
	now := in.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.read.IsZero() || now.Sub(in.read) >= in.Refresh {
		if err := in.reload(ctx, now); err != nil {
			return err
		}
		in.read = now
	}
	byApp := map[string][]inactivityWatch{}
	for _, w := range in.watches {
		byApp[w.flow.ApplicationID] = append(byApp[w.flow.ApplicationID], w)
	}
	for app, ws := range byApp {
		if err := in.checkApp(ctx, app, ws, now); err != nil {
			return err
		}
	}
	return nil
}

// reload reads the inactivity triggers of the enabled flows; as the timers
// do, it reads the flows only when their stamp changed or timersFullRead
// has passed.
func (in *Inactivity) reload(ctx context.Context, now time.Time) error {
	filter := weir.FlowFilter{FlowClass: weir.FlowClassCloud}
	stamp, err := engine.ReadFlowsStamp(ctx, in.Flows, filter)
	if err != nil {
		return fmt.Errorf("read flows: %w", err)
	}
	if !in.full.IsZero() && stamp == in.stamp && now.Sub(in.full) < timersFullRead {
		return nil
	}
	var watches []inactivityWatch
	err = engine.EachFlow(ctx, in.Flows, filter, func(f *weir.Flow) error {
		if !f.Enabled {
			return nil
		}
		v, err := engine.ResolveVersion(ctx, in.Versions, f, "")
		if err != nil || !v.Enabled {
			return nil
		}
		for _, t := range v.Def.Triggers {
			if t.Type != TriggerDeviceIDInactivity && t.Type != TriggerDeviceTagInactivity {
				continue
			}
			seconds, err := inactivitySeconds(t.Config)
			if err != nil {
				in.Logger.Warn("inactivity triggers: trigger not armed", "flow_id", f.ID, "trigger_key", t.Key, "err", err)
				continue
			}
			watches = append(watches, inactivityWatch{flow: f, version: v.Name, t: t, seconds: seconds})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read flows: %w", err)
	}
	in.stamp, in.full = stamp, now
	in.watches = watches
	// Forget the silences of triggers no longer watched.
	watched := make(map[string]bool, len(watches))
	for _, w := range watches {
		watched[w.flow.ID+"/"+w.t.Key+"/"] = true
	}
	for k, m := range in.done {
		if !watched[m.FlowID+"/"+m.TriggerKey+"/"] {
			delete(in.done, k)
		}
	}
	return nil
}

// inactivitySeconds reads a trigger's {seconds}.
func inactivitySeconds(raw json.RawMessage) (int64, error) {
	var cfg struct {
		Seconds *float64 `json:"seconds"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return 0, fmt.Errorf("inactivity config: %w", err)
		}
	}
	if cfg.Seconds == nil {
		return 0, fmt.Errorf("inactivity trigger has no seconds")
	}
	d := time.Duration(math.Round(*cfg.Seconds)) * time.Second
	if d < weir.MinInactivity || d > weir.MaxInactivity {
		return 0, fmt.Errorf("inactivity of %v is outside [1s, 366 days]", d)
	}
	return int64(d / time.Second), nil
}

// checkApp queues the due silences of one application's devices.
func (in *Inactivity) checkApp(ctx context.Context, appID string, ws []inactivityWatch, now time.Time) error {
	last, err := in.Marks.FindLastActivity(ctx, appID)
	if err != nil {
		return err
	}
	var devices map[string]*weir.Device // read once per pass, when a silence is due
	for id, at := range last {
		for _, w := range ws {
			due := at.Add(time.Duration(w.seconds) * time.Second)
			if now.Before(due) || at.Before(w.flow.LastUpdated) {
				continue
			}
			m := weir.InactivityMark{FlowID: w.flow.ID, TriggerKey: w.t.Key, DeviceID: id, Seconds: w.seconds, LastActivity: at}
			if in.done[doneKey(m)] == m {
				continue
			}
			if devices == nil {
				if devices, err = in.readDevices(ctx, appID); err != nil {
					return err
				}
			}
			d := devices[id]
			if d == nil || !inactivityMatches(w.t, d) {
				continue
			}
			if err := in.fire(ctx, w, d, m, due); err != nil {
				in.Logger.Error("inactivity triggers: fire", "flow_id", w.flow.ID, "device_id", id, "err", err)
			}
		}
	}
	return nil
}

// readDevices returns the application's devices by id.
func (in *Inactivity) readDevices(ctx context.Context, appID string) (map[string]*weir.Device, error) {
	ds, _, err := in.Devices.FindDevices(ctx, weir.DeviceFilter{ApplicationID: appID})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*weir.Device, len(ds))
	for _, d := range ds {
		out[d.ID] = d
	}
	return out, nil
}

// inactivityMatches reports whether trigger t watches device d.
func inactivityMatches(t weir.Trigger, d *weir.Device) bool {
	if t.Type == TriggerDeviceIDInactivity {
		return strings.EqualFold(t.Key, d.ID)
	}
	return tagMatches(d, t.Key)
}

// fire marks m's silence, queues its run and marks it done.
func (in *Inactivity) fire(ctx context.Context, w inactivityWatch, d *weir.Device, m weir.InactivityMark, due time.Time) error {
	pending, err := in.Marks.BeginInactivity(ctx, m)
	if err != nil || !pending {
		if err == nil {
			in.remember(m)
		}
		return err
	}
	body, err := json.Marshal(map[string]any{"lastActivity": m.LastActivity.UTC(), "inactivitySeconds": m.Seconds})
	if err != nil {
		return err
	}
	dev, err := json.Marshal(map[string]any{"deviceId": d.ID, "deviceName": d.Name, "deviceTags": d.TagsObject()})
	if err != nil {
		return err
	}
	run := &weir.Run{
		ID: silenceID(m), ApplicationID: d.ApplicationID, FlowID: w.flow.ID, FlowVersion: w.version,
		TriggerType: w.t.Type, TriggerKey: w.t.Key, TriggerID: d.ID, RelayType: TriggerTimer,
		RelayID: fmt.Sprintf("inactivity-%s-%d", d.ID, m.Seconds),
		Time:    due.UTC().Truncate(time.Millisecond), Data: body, Device: dev,
	}
	switch err := in.Queue.EnqueueRun(ctx, run); weir.ErrorTypeOf(err) {
	case "", weir.Validation: // Validation: this silence's run waits in the queue already
	case weir.NotFound: // the flow was deleted since the last reload
		return nil
	default:
		return err
	}
	if err := in.Marks.EndInactivity(ctx, m); err != nil {
		return err
	}
	in.remember(m)
	return nil
}

// remember records in memory that m's silence fired, so that later passes
// skip it without asking the store.
func (in *Inactivity) remember(m weir.InactivityMark) {
	if in.done == nil {
		in.done = map[string]weir.InactivityMark{}
	}
	in.done[doneKey(m)] = m
}

func doneKey(m weir.InactivityMark) string { return m.FlowID + "/" + m.TriggerKey + "/" + m.DeviceID }

// silenceID derives a run id from a silence, the same in every process.
func silenceID(m weir.InactivityMark) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("inactivity/%s/%s/%s/%d/%d", m.FlowID, m.TriggerKey, m.DeviceID, m.Seconds, m.LastActivity.UnixMilli())))
	return hex.EncodeToString(sum[:12])
}
