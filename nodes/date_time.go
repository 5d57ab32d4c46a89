package nodes

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones must work on hosts without a zoneinfo database

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var (
	dateTimeOperations = []string{"add", "subtract", "format", "getDatePart", "setDatePart", "diff", "daysInMonth",
		"startOfTime", "toArray", "toObject", "unixTimestampSeconds", "unixTimestampMilliseconds"}
	dateTimeUnits = []string{"year", "quarter", "month", "week", "dayOfYear", "day", "dayOfWeek",
		"hour", "minute", "second", "millisecond"}
)

// isoMomentFormat is what Moment's format() prints without a format string.
const isoMomentFormat = "YYYY-MM-DDTHH:mm:ssZ"

// dateTimeFormatter and dateTimeCaster reuse the template package's Moment
// formatting and date casting through its formatDate helper.
var (
	dateTimeFormatter = dateTimeValue(`formatDate d f tz=z`)
	dateTimeCaster    = dateTimeValue(`formatDate d "x"`)
)

func init() {
	engine.Register(engine.Spec{
		Type:     "DateTimeNode",
		Name:     "date-time",
		Category: "logic",
		Summary:  "Parses a date and adds to it, subtracts from it, formats it, reads or sets one of its parts, compares it with another date, or rounds it down, Moment.js style.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "sourcePath", Kind: "path", Doc: "The date: a Date, epoch milliseconds or a date string; empty uses the current time."},
			{Name: "sourceFormatString", Kind: "template", Doc: "Moment.js tokens to parse a string source with (e.g. DD/MM/YYYY HH:mm); empty accepts ISO 8601 and other common forms."},
			{Name: "operation", Kind: "enum", Enum: dateTimeOperations, Default: "add",
				Doc: "add/subtract numberValue units; format with resultFormatString; getDatePart/setDatePart of unit; diff (source − diffDataPath in whole units); daysInMonth; startOfTime (start of unit); toArray [y, M, d, h, m, s, ms]; toObject; unixTimestampSeconds; unixTimestampMilliseconds. Months are 0-based, as in Moment."},
			{Name: "numberValue", Kind: "template", Doc: "The amount for add and subtract, or the new value for setDatePart; rendered and cast to a number. Days, weeks, months, quarters and years are rounded to whole units."},
			{Name: "unit", Kind: "enum", Enum: dateTimeUnits, Default: "year", Doc: "The unit of add, subtract, getDatePart, setDatePart, diff and startOfTime; day is the day of the month."},
			{Name: "diffDataPath", Kind: "path", Doc: "The other date for diff."},
			{Name: "diffDataFormatString", Kind: "template", Doc: "Moment.js tokens to parse a string at diffDataPath with."},
			{Name: "timezone", Kind: "string", Default: "UTC", Doc: "IANA time zone the date is converted to before reading parts, setting parts, rounding and formatting; empty is UTC."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put the result."},
			{Name: "resultFormatString", Kind: "template", Doc: "Moment.js format: the format of the format operation (default ISO 8601), and when set the format of date results of add, subtract, setDatePart and startOfTime, which otherwise stay Dates. x is epoch milliseconds."},
		},
	}, buildDateTime)
}

type dateTime struct {
	operation, unit string
	loc             *time.Location
	zone            string
	source          path.Path
	hasSource       bool
	sourceFormat    *template.Template
	number          *template.Template
	diffPath        path.Path
	diffFormat      *template.Template
	resultPath      path.Path
	resultFormat    *template.Template
}

func buildDateTime(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SourcePath           string      `json:"sourcePath"`
		SourceFormatString   engine.Text `json:"sourceFormatString"`
		Operation            string      `json:"operation"`
		NumberValue          engine.Text `json:"numberValue"`
		Unit                 string      `json:"unit"`
		DiffDataPath         string      `json:"diffDataPath"`
		DiffDataFormatString engine.Text `json:"diffDataFormatString"`
		Timezone             string      `json:"timezone"`
		ResultPath           string      `json:"resultPath"`
		ResultFormatString   engine.Text `json:"resultFormatString"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &dateTime{operation: cmp.Or(cfg.Operation, "add"), unit: cmp.Or(cfg.Unit, "year"), zone: cmp.Or(cfg.Timezone, "UTC")}
	if !slices.Contains(dateTimeOperations, n.operation) {
		return nil, engine.Errorf("Validation", "operation must be one of %v", dateTimeOperations)
	}
	if !slices.Contains(dateTimeUnits, n.unit) {
		return nil, engine.Errorf("Validation", "unit must be one of %v", dateTimeUnits)
	}
	var err error
	if n.loc, err = time.LoadLocation(n.zone); err != nil {
		return nil, engine.Errorf("Validation", "timezone: unknown time zone %q", cfg.Timezone)
	}
	if n.source, n.hasSource, err = engine.CompilePath("sourcePath", cfg.SourcePath, false); err != nil {
		return nil, err
	}
	if n.resultPath, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	if n.operation == "diff" {
		if n.diffPath, _, err = engine.CompilePath("diffDataPath", cfg.DiffDataPath, true); err != nil {
			return nil, err
		}
	}
	for _, t := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.sourceFormat, "sourceFormatString", cfg.SourceFormatString},
		{&n.number, "numberValue", cfg.NumberValue},
		{&n.diffFormat, "diffDataFormatString", cfg.DiffDataFormatString},
		{&n.resultFormat, "resultFormatString", cfg.ResultFormatString},
	} {
		if *t.dst, err = engine.CompileTemplate(t.name, string(t.src)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec computes the operation and writes its result to resultPath.
func (n *dateTime) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	var src any = env.Now()
	if n.hasSource {
		src = n.source.Get(p)
	}
	t, err := n.date(p, src, n.sourceFormat, "source")
	if err != nil {
		return 0, err
	}
	v, err := n.apply(p, t)
	if err != nil {
		return 0, err
	}
	if err := n.resultPath.Set(p, v); err != nil {
		return 0, engine.Errorf("Validation", "resultPath: %v", err)
	}
	return 0, nil
}

// apply runs the operation on t, already in the node's zone.
func (n *dateTime) apply(p engine.Payload, t time.Time) (any, error) {
	switch n.operation {
	case "add", "subtract", "setDatePart":
		f, err := n.amount(p)
		if err != nil {
			return nil, err
		}
		switch n.operation {
		case "add":
			t = momentAdd(t, n.unit, f)
		case "subtract":
			t = momentAdd(t, n.unit, -f)
		default:
			t = momentSet(t, n.unit, f)
		}
		return n.dateResult(p, t)
	case "startOfTime":
		return n.dateResult(p, momentStartOf(t, n.unit))
	case "format":
		layout, err := n.resultFormat.Render(p)
		if err != nil {
			return nil, engine.Errorf("Validation", "resultFormatString: %v", err)
		}
		return n.format(t, cmp.Or(layout, isoMomentFormat))
	case "getDatePart":
		return float64(momentGet(t, n.unit)), nil
	case "diff":
		other, err := n.date(p, n.diffPath.Get(p), n.diffFormat, "diffData")
		if err != nil {
			return nil, err
		}
		return momentDiff(t, other, n.unit), nil
	case "daysInMonth":
		return float64(daysIn(t.Year(), t.Month())), nil
	case "toArray":
		return []any{float64(t.Year()), float64(t.Month() - 1), float64(t.Day()), float64(t.Hour()),
			float64(t.Minute()), float64(t.Second()), float64(t.Nanosecond() / 1e6)}, nil
	case "toObject":
		return map[string]any{"years": float64(t.Year()), "months": float64(t.Month() - 1), "date": float64(t.Day()),
			"hours": float64(t.Hour()), "minutes": float64(t.Minute()), "seconds": float64(t.Second()),
			"milliseconds": float64(t.Nanosecond() / 1e6)}, nil
	case "unixTimestampSeconds":
		return math.Floor(float64(t.UnixMilli()) / 1000), nil
	}
	return float64(t.UnixMilli()), nil // unixTimestampMilliseconds
}

// date casts v to a time in the node's zone, parsing strings with the
// rendered format when there is one.
func (n *dateTime) date(p engine.Payload, v any, format *template.Template, field string) (time.Time, error) {
	layout, err := format.Render(p)
	if err != nil {
		return time.Time{}, engine.Errorf("Validation", "%sFormatString: %v", field, err)
	}
	var t time.Time
	ok := false
	if s, isStr := v.(string); isStr && strings.TrimSpace(layout) != "" {
		t, ok = parseMoment(s, layout, time.UTC)
	} else if x, isTime := v.(time.Time); isTime {
		t, ok = x, true
	} else if ms, err := dateTimeCaster.Eval(map[string]any{"d": v}); err == nil {
		var f float64
		if f, err = strconv.ParseFloat(js.ToString(ms), 64); err == nil {
			t, ok = time.UnixMilli(int64(f)), true
		}
	}
	if !ok {
		return time.Time{}, engine.Errorf("TypeError", "%s is not a valid date: %s", field, js.ToString(v))
	}
	return t.In(n.loc), nil
}

// dateResult returns t as a Date, or formatted when resultFormatString is
// set.
func (n *dateTime) dateResult(p engine.Payload, t time.Time) (any, error) {
	layout, err := n.resultFormat.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "resultFormatString: %v", err)
	}
	if layout == "" {
		return t.UTC(), nil
	}
	return n.format(t, layout)
}

// format formats t with Moment tokens in the node's zone.
func (n *dateTime) format(t time.Time, layout string) (any, error) {
	s, err := dateTimeFormatter.Eval(map[string]any{"d": t.UTC(), "f": layout, "z": n.zone})
	if err != nil {
		return nil, engine.Errorf("Validation", "format: %v", err)
	}
	return s, nil
}

// amount renders numberValue as a number.
func (n *dateTime) amount(p engine.Payload) (float64, error) {
	s, err := n.number.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "numberValue: %v", err)
	}
	f := js.ToNumber(s)
	if strings.TrimSpace(s) == "" || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, engine.Errorf("TypeError", "numberValue %q is not a number", s)
	}
	return f, nil
}

// dateTimeValue compiles a helper call known to be valid.
func dateTimeValue(body string) *template.Value {
	v, err := template.ParseValue(body)
	if err != nil {
		panic(err)
	}
	return v
}

var _ engine.Node = (*dateTime)(nil)
