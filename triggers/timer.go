package triggers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// TriggerTimer is the type of the timer trigger.
const TriggerTimer = "timer"

// Timer limits, as Losant's cloud enforces them.
const (
	minTimerInterval = time.Second
	maxTimerInterval = 365 * 24 * time.Hour
)

// cronParser reads 5-field cron (6 with leading seconds) and @descriptors.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Timers fires the timer triggers of every enabled flow's default version.
// Interval ticks fall on multiples of the interval since the Unix epoch and
// cron ticks on the schedule, so every process agrees on them; a tick's run
// id is derived from the flow, trigger and tick, so a tick enqueued twice is
// refused by the queue instead of running twice. Missed ticks (while weir
// was down) are not fired later.
type Timers struct {
	Flows    weir.FlowService
	Versions weir.FlowVersionService // nil: only develop
	Queue    weir.RunQueue
	Logger   *slog.Logger
	Now      func() time.Time
	Refresh  time.Duration // how often flows are checked for changes; default 5 s
	Tick     time.Duration // how often due timers are checked; default 250 ms

	mu     sync.Mutex
	timers map[string]*timer // by flow id + trigger key + schedule
	stamp  engine.FlowsStamp // of the flows last read
	read   time.Time         // when they were last read; zero before
	bg     background
}

// timer is one timer trigger with its next tick.
type timer struct {
	appID, flowID, version, key string
	schedule                    cron.Schedule
	next                        time.Time
}

// Open starts firing timers in the background.
func (ts *Timers) Open() error {
	if ts.Now == nil {
		ts.Now = time.Now
	}
	if ts.Logger == nil {
		ts.Logger = slog.New(slog.DiscardHandler)
	}
	if ts.Refresh <= 0 {
		ts.Refresh = 5 * time.Second
	}
	if ts.Tick <= 0 {
		ts.Tick = 250 * time.Millisecond
	}
	ts.bg.start(ts.loop)
	return nil
}

// Close stops firing and waits for the loop to end.
func (ts *Timers) Close() error {
	ts.bg.stop()
	return nil
}

func (ts *Timers) loop(ctx context.Context) {
	tick := time.NewTicker(ts.Tick)
	defer tick.Stop()
	var refreshed time.Time
	for {
		now := ts.Now()
		if now.Sub(refreshed) >= ts.Refresh {
			if err := ts.reload(ctx, now); err != nil && ctx.Err() == nil {
				ts.Logger.Error("timers: read flows", "err", err)
			}
			refreshed = now
		}
		ts.fireDue(ctx, now)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// timersFullRead is how often the flows are read even when their stamp did
// not change: changes by another process that touch no flow row (a version
// disabled) are seen within it.
const timersFullRead = time.Minute

// reload re-reads every flow's timer triggers, keeping the next tick of
// timers that did not change. Reading thousands of flows takes a while, so
// it first reads their stamp (count and last update) and reads them only
// when it changed or timersFullRead has passed.
func (ts *Timers) reload(ctx context.Context, now time.Time) error {
	stamp, err := engine.ReadFlowsStamp(ctx, ts.Flows, weir.FlowFilter{})
	if err != nil {
		return err
	}
	if !ts.read.IsZero() && stamp == ts.stamp && now.Sub(ts.read) < timersFullRead {
		return nil
	}
	found := map[string]*timer{}
	err = engine.EachFlow(ctx, ts.Flows, weir.FlowFilter{}, func(f *weir.Flow) error {
		if !f.Enabled {
			return nil
		}
		v, err := engine.ResolveVersion(ctx, ts.Versions, f, "")
		if err != nil || !v.Enabled {
			return nil
		}
		name := v.Name
		for _, t := range v.Def.Triggers {
			if t.Type != TriggerTimer || t.Key == "" {
				continue
			}
			sched, spec, err := parseTimer(t.Config)
			if err != nil {
				ts.Logger.Warn("timers: trigger not scheduled", "flow_id", f.ID, "trigger_key", t.Key, "err", err)
				continue
			}
			id := f.ID + "/" + name + "/" + t.Key + "/" + spec
			found[id] = &timer{appID: f.ApplicationID, flowID: f.ID, version: name, key: t.Key, schedule: sched}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ts.stamp, ts.read = stamp, now
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for id, t := range found {
		if old, ok := ts.timers[id]; ok {
			t.next = old.next
		} else {
			t.next = t.schedule.Next(now)
		}
	}
	ts.timers = found
	return nil
}

// fireDue enqueues a run for every timer whose tick has come.
func (ts *Timers) fireDue(ctx context.Context, now time.Time) {
	ts.mu.Lock()
	var due []timer
	for _, t := range ts.timers {
		if !now.Before(t.next) {
			due = append(due, *t)
			t.next = t.schedule.Next(now)
		}
	}
	ts.mu.Unlock()
	for _, t := range due {
		run := &weir.Run{
			ID: tickID(t.flowID, t.key, t.next), ApplicationID: t.appID, FlowID: t.flowID, FlowVersion: t.version,
			TriggerType: TriggerTimer, TriggerKey: t.key, TriggerID: t.key, RelayType: TriggerTimer, RelayID: t.key,
			Time: t.next.UTC().Truncate(time.Millisecond), Data: json.RawMessage(`{}`),
		}
		err := ts.Queue.EnqueueRun(ctx, run)
		switch weir.ErrorTypeOf(err) {
		case "", weir.Validation: // Validation: another process enqueued this tick already
		case weir.NotFound: // the flow was deleted since the last reload
		default:
			ts.Logger.Error("timers: enqueue run", "flow_id", t.flowID, "trigger_key", t.key, "err", err)
		}
	}
}

// parseTimer reads a timer trigger's config: {seconds} for an interval or
// {cron, tz} for a schedule. It returns the schedule and a text that changes
// whenever the schedule does.
func parseTimer(raw json.RawMessage) (cron.Schedule, string, error) {
	var cfg struct {
		Seconds *float64 `json:"seconds"`
		Cron    string   `json:"cron"`
		TZ      string   `json:"tz"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, "", fmt.Errorf("timer config: %w", err)
		}
	}
	if cfg.Cron != "" {
		loc := time.UTC
		if cfg.TZ != "" {
			var err error
			if loc, err = time.LoadLocation(cfg.TZ); err != nil {
				return nil, "", fmt.Errorf("timer tz %q: %w", cfg.TZ, err)
			}
		}
		s, err := cronParser.Parse(cfg.Cron)
		if err != nil {
			return nil, "", fmt.Errorf("timer cron %q: %w", cfg.Cron, err)
		}
		if spec, ok := s.(*cron.SpecSchedule); ok {
			spec.Location = loc
		}
		return s, "cron " + cfg.Cron + " " + loc.String(), nil
	}
	if cfg.Seconds == nil {
		return nil, "", fmt.Errorf("timer has neither seconds nor cron")
	}
	d := time.Duration(math.Round(*cfg.Seconds * float64(time.Second)))
	if d < minTimerInterval || d >= maxTimerInterval {
		return nil, "", fmt.Errorf("timer interval %v is outside [1s, 1 year)", d)
	}
	return interval(d), "every " + d.String(), nil
}

// interval ticks at the multiples of d since the Unix epoch.
type interval time.Duration

// Next returns the first multiple of the interval after t.
func (iv interval) Next(t time.Time) time.Time {
	d := time.Duration(iv)
	return time.Unix(0, (t.UnixNano()/int64(d)+1)*int64(d))
}

// tickID derives a run id from a timer tick, the same in every process.
func tickID(flowID, key string, at time.Time) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", flowID, key, at.UnixMilli())))
	return hex.EncodeToString(sum[:12])
}
