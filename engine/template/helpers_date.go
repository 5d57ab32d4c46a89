package template

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // tz= must work on hosts without a zoneinfo database

	"github.com/weirhq/weir/engine/js"
)

// defaultDateFormat is Moment's default for Losant's date helpers.
const defaultDateFormat = "L LTS"

// invalidDate is what Moment prints for an invalid date.
const invalidDate = "Invalid date"

// now is the clock of currentDateTime and formatDateRelative; tests replace
// it.
var now = time.Now

func init() {
	register(map[string]func(a args) (any, error){
		"formatDate":         helperFormatDate,
		"currentDateTime":    helperCurrentDateTime,
		"format":             helperFormat,
		"formatDateRelative": helperFormatDateRelative,
	})
}

// helperFormatDate casts the value to a date and formats it with Moment
// tokens (default "L LTS") in UTC or the tz= zone.
func helperFormatDate(a args) (any, error) {
	t, ok := toDate(a.at(0))
	if !ok {
		return invalidDate, nil
	}
	return formatInZone(t, a.at(1), a.opt("tz"))
}

// helperCurrentDateTime formats the current time like formatDate.
func helperCurrentDateTime(a args) (any, error) {
	return formatInZone(now(), a.at(0), a.opt("tz"))
}

// helperFormat formats numbers with d3-format (default ",.6"), Dates with
// Moment tokens (default "L LTS"), objects and arrays as JSON, and returns
// anything else unchanged.
func helperFormat(a args) (any, error) {
	switch v := a.at(0).(type) {
	case float64:
		spec := ",.6"
		if a.has(1) {
			spec = toText(a.at(1))
		}
		return formatNumber(v, spec)
	case time.Time:
		return formatInZone(v, a.at(1), a.opt("tz"))
	case []any, map[string]any:
		s, _ := jsonStringify(v, "")
		return s, nil
	}
	return a.at(0), nil
}

// formatInZone formats t with layout (default "L LTS") in zone tz (default
// UTC).
func formatInZone(t time.Time, layout, tz any) (string, error) {
	loc := time.UTC
	if name, ok := tz.(string); ok && name != "" {
		var err error
		if loc, err = loadLocation(name); err != nil {
			return "", err
		}
	}
	f := defaultDateFormat
	if s, ok := layout.(string); ok && s != "" {
		f = s
	}
	return formatMoment(t.In(loc), f), nil
}

// zones caches loaded time zones by name.
var zones sync.Map

// loadLocation is time.LoadLocation with a cache.
func loadLocation(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zones.Store(name, l)
	return l, nil
}

// maxDateMs is the largest magnitude of a valid JavaScript Date.
const maxDateMs = 8.64e15

// toDate casts a value to a date like moment(v): Dates as is, numbers as
// epoch milliseconds, strings as ISO 8601 (then RFC 2822, Date.toString
// forms and numeric epoch milliseconds). ok is false for invalid dates.
func toDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case float64:
		return fromEpochMs(x)
	case string:
		return parseDate(x)
	}
	return time.Time{}, false
}

// fromEpochMs converts epoch milliseconds to a UTC time.
func fromEpochMs(ms float64) (time.Time, bool) {
	if math.IsNaN(ms) || math.Abs(ms) > maxDateMs {
		return time.Time{}, false
	}
	ms = math.Trunc(ms)
	return time.UnixMilli(int64(ms)).UTC(), true
}

// dateLayouts are the string forms toDate accepts, tried in order. Forms
// without a zone are read as UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
	"20060102T150405Z0700",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"Mon Jan 02 2006 15:04:05 GMT-0700",
	"Mon Jan 2 2006 15:04:05 GMT-0700",
	"Jan 2, 2006",
	"January 2, 2006",
	"01/02/2006",
	"1/2/2006",
}

// parseDate parses the string forms listed in dateLayouts, or digits as
// epoch milliseconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i] // Date.toString's "(Zone Name)" suffix
	}
	if ms, err := strconv.ParseFloat(s, 64); err == nil && s != "" && !strings.ContainsAny(s, "eE") && isDigitsOrSign(s) {
		return fromEpochMs(ms)
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isDigitsOrSign reports whether s is an optionally signed digit string.
func isDigitsOrSign(s string) bool {
	return isNumber(strings.TrimPrefix(s, "+"))
}

// helperFormatDateRelative is Moment's fromNow/from: a humanized
// difference such as "5 minutes ago" or "in 2 hours" between the date and
// relativeTo (default now).
func helperFormatDateRelative(a args) (any, error) {
	t, ok := toDate(a.at(0))
	if !ok {
		return invalidDate, nil
	}
	ref := now()
	if a.has(1) {
		if ref, ok = toDate(a.at(1)); !ok {
			return invalidDate, nil
		}
	}
	if l, ok := a.opt("locale").(string); ok && l != "" && !strings.HasPrefix(l, "en") {
		return nil, errors.New("only the en locale is supported")
	}
	return humanize(t.Sub(ref)), nil
}

// humanize is Moment's relativeTime with its default thresholds.
func humanize(d time.Duration) string {
	future := d > 0
	ms := math.Abs(float64(d.Milliseconds()))
	sec := math.Round(ms / 1000)
	mins := math.Round(sec / 60)
	hours := math.Round(mins / 60)
	days := math.Round(hours / 24)
	// Moment derives months and years from days via its calendar model.
	monthsF := ms / 1000 / 86400 * 4800 / 146097
	months := math.Round(monthsF)
	years := math.Round(monthsF / 12)
	var s string
	switch {
	case sec < 45:
		s = "a few seconds"
	case mins <= 1:
		s = "a minute"
	case mins < 45:
		s = js.FormatNumber(mins) + " minutes"
	case hours <= 1:
		s = "an hour"
	case hours < 22:
		s = js.FormatNumber(hours) + " hours"
	case days <= 1:
		s = "a day"
	case days < 26:
		s = js.FormatNumber(days) + " days"
	case months <= 1:
		s = "a month"
	case months < 11:
		s = js.FormatNumber(months) + " months"
	case years <= 1:
		s = "a year"
	default:
		s = js.FormatNumber(years) + " years"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}
