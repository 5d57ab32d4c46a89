package nodes

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var timeRangeDaysTypes = []string{"array", "path"}

func init() {
	engine.Register(engine.Spec{
		Type:     "TimeRangeNode",
		Name:     "time-range",
		Category: "logic",
		Summary:  "Branches on whether a time falls within a daily time window on selected days of the week.",
		Outputs:  []string{"outside: the time is outside the window or on a day not selected", "inside: the time is within the window on a selected day"},
		Fields: []engine.Field{
			{Name: "sourcePath", Kind: "path", Doc: "The time to test (Date, epoch milliseconds or date string); empty uses the payload's time."},
			{Name: "startTimeTemplate", Kind: "template", Default: "00:00", Doc: "Start of the window, HH:MM in 24-hour time, inclusive."},
			{Name: "endTimeTemplate", Kind: "template", Default: "00:00", Doc: "End of the window, HH:MM, exclusive; a start equal to the end is the whole day, an end before the start wraps past midnight."},
			{Name: "timeZoneTemplate", Kind: "template", Default: "UTC", Doc: "IANA time zone the time is converted to before comparing."},
			{Name: "daysType", Kind: "enum", Enum: timeRangeDaysTypes, Default: "array", Doc: "array: the days field selects the days; path: daysPath does."},
			{Name: "days", Kind: "string", Doc: "Seven booleans, Sunday first; missing selects every day."},
			{Name: "daysPath", Kind: "path", Doc: "A payload array of seven booleans (Sunday first) or of day numbers 0–6 (0 = Sunday)."},
			{Name: "branchPath", Kind: "path", Doc: "Receives true when inside, false when outside."},
		},
	}, buildTimeRange)
}

type timeRange struct {
	source, daysPath, branchPath path.Path
	hasSource, hasBranch         bool
	start, end, zone             *template.Template
	days                         []bool // nil when daysType is path
}

func buildTimeRange(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SourcePath        string      `json:"sourcePath"`
		StartTimeTemplate engine.Text `json:"startTimeTemplate"`
		EndTimeTemplate   engine.Text `json:"endTimeTemplate"`
		TimeZoneTemplate  engine.Text `json:"timeZoneTemplate"`
		DaysType          string      `json:"daysType"`
		Days              []bool      `json:"days"`
		DaysPath          string      `json:"daysPath"`
		BranchPath        string      `json:"branchPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &timeRange{days: cfg.Days}
	if cfg.DaysType == "" {
		cfg.DaysType = "array"
	}
	if !slices.Contains(timeRangeDaysTypes, cfg.DaysType) {
		return nil, engine.Errorf("Validation", "daysType must be one of %v", timeRangeDaysTypes)
	}
	var err error
	if cfg.DaysType == "path" {
		n.days = nil
		if n.daysPath, _, err = engine.CompilePath("daysPath", cfg.DaysPath, true); err != nil {
			return nil, err
		}
	} else if n.days == nil {
		n.days = []bool{true, true, true, true, true, true, true}
	}
	if len(n.days) != 0 && len(n.days) != 7 {
		return nil, engine.Errorf("Validation", "days must hold 7 booleans")
	}
	if n.source, n.hasSource, err = engine.CompilePath("sourcePath", cfg.SourcePath, false); err != nil {
		return nil, err
	}
	if n.branchPath, n.hasBranch, err = engine.CompilePath("branchPath", cfg.BranchPath, false); err != nil {
		return nil, err
	}
	if n.start, err = engine.CompileTemplate("startTimeTemplate", string(cfg.StartTimeTemplate)); err != nil {
		return nil, err
	}
	if n.end, err = engine.CompileTemplate("endTimeTemplate", string(cfg.EndTimeTemplate)); err != nil {
		return nil, err
	}
	if n.zone, err = engine.CompileTemplate("timeZoneTemplate", string(cfg.TimeZoneTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec takes output 1 when the time is inside the window, 0 otherwise.
func (n *timeRange) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	t, err := n.time(p)
	if err != nil {
		return 0, err
	}
	r := renderer{p: p}
	start := clockSeconds(r.text(n.start, "startTimeTemplate", "00:00"))
	end := clockSeconds(r.text(n.end, "endTimeTemplate", "00:00"))
	zone := r.text(n.zone, "timeZoneTemplate", "UTC")
	if r.err != nil {
		return 0, r.err
	}
	if start < 0 || end < 0 {
		return 0, engine.Errorf("Validation", "start and end times must be HH:MM")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return 0, engine.Errorf("Validation", "unknown time zone %q", zone)
	}
	t = t.In(loc)
	now := t.Hour()*3600 + t.Minute()*60 + t.Second()
	inside := n.dayEnabled(p, t.Weekday())
	switch {
	case start < end:
		inside = inside && now >= start && now < end
	case start > end:
		inside = inside && (now >= start || now < end)
	}
	if n.hasBranch {
		if err := n.branchPath.Set(p, inside); err != nil {
			return 0, engine.Errorf("Validation", "branchPath: %v", err)
		}
	}
	if inside {
		return 1, nil
	}
	return 0, nil
}

// time returns the time to test.
func (n *timeRange) time(p engine.Payload) (time.Time, error) {
	v := p["time"]
	if n.hasSource {
		v = n.source.Get(p)
	}
	if t, ok := v.(time.Time); ok {
		return t, nil
	}
	ms, err := dateTimeCaster.Eval(map[string]any{"d": v})
	if err == nil {
		if f, err := strconv.ParseInt(js.ToString(ms), 10, 64); err == nil {
			return time.UnixMilli(f), nil
		}
	}
	return time.Time{}, engine.Errorf("TypeError", "source is not a valid date: %s", js.ToString(v))
}

// dayEnabled reports whether day d is selected.
func (n *timeRange) dayEnabled(p engine.Payload, d time.Weekday) bool {
	if n.days != nil {
		return n.days[d]
	}
	list, _ := n.daysPath.Get(p).([]any)
	if len(list) == 7 && !slices.ContainsFunc(list, func(e any) bool { _, ok := e.(bool); return !ok }) {
		return list[d].(bool)
	}
	return slices.ContainsFunc(list, func(e any) bool { return js.ToNumber(e) == float64(d) })
}

// clockSeconds parses "HH:MM" (or "HH:MM:SS") into seconds after midnight,
// or -1.
func clockSeconds(s string) int {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return -1
	}
	limits := []int{24, 60, 60}
	total := 0
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || v >= limits[i] {
			return -1
		}
		total += v * []int{3600, 60, 1}[i]
	}
	return total
}

var _ engine.Node = (*timeRange)(nil)
