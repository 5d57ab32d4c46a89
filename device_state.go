package weir

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of state reports, as Losant has them.
const (
	// MaxStringAttributeBytes caps a string attribute's value.
	MaxStringAttributeBytes = 64 << 10
	// MaxStatePast is how old a report's time may be; older reports are
	// dropped.
	MaxStatePast = 30 * 24 * time.Hour
	// MaxStateFuture is how far ahead a report's time may be; later reports
	// are dropped.
	MaxStateFuture = 24 * time.Hour
	// DefaultStateLimit is how many reports getState returns unless told.
	DefaultStateLimit = 1
	// MaxStateLimit caps the reports one getState returns.
	MaxStateLimit = 1000
)

// DeviceState is one state report of a device: its time and the attribute
// values it carries, each converted to its attribute's data type (float64,
// string or bool).
type DeviceState struct {
	DeviceID string         `json:"deviceId"`
	Time     time.Time      `json:"time"`
	Data     map[string]any `json:"data"`
}

// StateValue is an attribute's value and the time it was reported.
type StateValue struct {
	Value any       `json:"value"`
	Time  time.Time `json:"time"`
}

// CompositeState is a device's latest value of each attribute.
type CompositeState map[string]StateValue

// StateFilter selects the state reports of one device whose time is within
// [Start, End] (zero: unbounded): the Limit latest, newest first, or with
// Ascending the Limit earliest, oldest first.
type StateFilter struct {
	ApplicationID string
	DeviceID      string
	Start, End    time.Time
	Limit         int // 0: DefaultStateLimit
	Ascending     bool
}

// DeviceStateService keeps the state history of devices.
type DeviceStateService interface {
	// AddDeviceStates commits the reports to the device's history, in one
	// transaction, and returns the ones kept: each report's data converted
	// with NormalizeState against the device's attributes, reports with no
	// attribute left and those out of the time window dropped. A report
	// whose time equals a stored one merges into it. It returns NotFound
	// ("Device was not found") unless the application has the device.
	AddDeviceStates(ctx context.Context, applicationID, deviceID string, states []DeviceState) ([]DeviceState, *Device, error)

	// FindDeviceStates returns the reports the filter selects. It returns
	// NotFound like AddDeviceStates.
	FindDeviceStates(ctx context.Context, filter StateFilter) ([]DeviceState, error)

	// FindCompositeState returns the latest value of each attribute the
	// device reported within [filter.Start, filter.End] (zero: unbounded);
	// Limit is ignored. It returns NotFound like AddDeviceStates.
	FindCompositeState(ctx context.Context, filter StateFilter) (CompositeState, error)

	// RemoveDeviceData deletes the device's data that r selects, as
	// Losant's removeData does: its state history (or only some attributes'
	// values), connection log and commands within [r.Start, r.End]. Latest
	// values removed fall back to the newest report left. It returns
	// NotFound like AddDeviceStates.
	RemoveDeviceData(ctx context.Context, applicationID, deviceID string, r DataRemoval) error

	// PruneDeviceStates deletes the reports of every device dated before
	// before, and returns how many; latest attribute values stay.
	PruneDeviceStates(ctx context.Context, before time.Time) (int, error)
}

// DataRemoval selects the data RemoveDeviceData deletes.
type DataRemoval struct {
	Start, End time.Time // the window, inclusive; zero: unbounded
	// Attributes, when not nil, limits the state removed to these
	// attributes' values: a report keeps its other attributes, and goes
	// when none is left.
	Attributes            []string
	KeepConnectionHistory bool // the connection log stays
	KeepCommandHistory    bool // the commands stay
}

// DefaultStateRetention is how long weir serve keeps state reports unless
// told otherwise.
const DefaultStateRetention = 365 * 24 * time.Hour

// NormalizeState converts data to the types of d's attributes, as Losant
// does: attributes the device does not declare are dropped, and so are
// values that cannot be converted. It returns the kept values and the names
// dropped, sorted.
func NormalizeState(d *Device, data map[string]any) (map[string]any, []string) {
	out := make(map[string]any, len(data))
	var dropped []string
	for name, v := range data {
		a, ok := d.Attribute(name)
		if !ok {
			dropped = append(dropped, name)
			continue
		}
		cv, ok := ConvertAttributeValue(a.DataType, v)
		if !ok {
			dropped = append(dropped, name)
			continue
		}
		out[name] = cv
	}
	sortStrings(dropped)
	return out, dropped
}

// ConvertAttributeValue converts v, a JSON number, string or boolean, to
// the attribute data type dataType: numbers from numeric strings and
// booleans (1/0), strings from numbers and booleans, booleans from
// "true"/"false"/"1"/"0" and numbers (non-zero is true), GPS from a
// "lat,lng" decimal string or an NMEA GLL/GGA sentence, blobs from strings.
// ok is false when v cannot be converted.
func ConvertAttributeValue(dataType string, v any) (out any, ok bool) {
	switch dataType {
	case AttributeNumber:
		switch x := v.(type) {
		case float64:
			return x, !math.IsInf(x, 0) && !math.IsNaN(x)
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, false
			}
			return f, true
		case bool:
			if x {
				return 1.0, true
			}
			return 0.0, true
		}
	case AttributeString:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(x)
		default:
			return nil, false
		}
		return s, len(s) <= MaxStringAttributeBytes && utf8.ValidString(s)
	case AttributeBoolean:
		switch x := v.(type) {
		case bool:
			return x, true
		case float64:
			return x != 0, true
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return true, true
			case "false", "0":
				return false, true
			}
		}
	case AttributeGPS:
		if s, isString := v.(string); isString && validGPS(s) {
			return strings.TrimSpace(s), true
		}
	case AttributeBlob:
		if s, isString := v.(string); isString {
			return s, true
		}
	}
	return nil, false
}

// gpsDecimal is a "lat,lng" pair of decimal degrees, optionally followed by
// more comma-separated numbers (altitude).
var gpsDecimal = regexp.MustCompile(`^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(,.*)?$`)

// validGPS reports whether s is a position in a form Losant reads: decimal
// degrees, an NMEA GLL or GGA sentence, or degrees-minutes-seconds.
func validGPS(s string) bool {
	if m := gpsDecimal.FindStringSubmatch(s); m != nil {
		lat, _ := strconv.ParseFloat(m[1], 64)
		lng, _ := strconv.ParseFloat(m[2], 64)
		return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
	}
	t := strings.TrimSpace(s)
	if len(t) > 6 && t[0] == '$' && (strings.HasSuffix(t[:6], "GLL") || strings.HasSuffix(t[:6], "GGA")) {
		return true
	}
	return strings.ContainsAny(t, "°'\"") && strings.ContainsAny(t, "NSns") && strings.ContainsAny(t, "EWew")
}

// ParseStateTime reads a report's time the ways Losant accepts it: an
// {"$date": ISO} object, a date string, seconds or milliseconds since the
// epoch (numbers below 1e11 are seconds), or a negative number of
// milliseconds before now. A missing or unreadable time is now.
func ParseStateTime(v any, now time.Time) time.Time {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["$date"].(string); ok {
			return ParseStateTime(s, now)
		}
	case float64:
		switch {
		case x < 0:
			return now.Add(time.Duration(x) * time.Millisecond).Truncate(time.Millisecond)
		case x < 1e11:
			return time.UnixMilli(int64(x * 1000)).UTC()
		case x < 1e15:
			return time.UnixMilli(int64(x)).UTC()
		}
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999Z07:00", "2006-01-02T15:04:05", "2006-01-02", time.RFC1123, time.RFC1123Z} {
			if t, err := time.Parse(layout, strings.TrimSpace(x)); err == nil {
				return t.UTC().Truncate(time.Millisecond)
			}
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return ParseStateTime(f, now)
		}
	}
	return now.UTC().Truncate(time.Millisecond)
}

// StateTimeAllowed reports whether a report at t is within the window Losant
// stores: not older than MaxStatePast, not later than MaxStateFuture.
func StateTimeAllowed(t, now time.Time) bool {
	return !t.Before(now.Add(-MaxStatePast)) && !t.After(now.Add(MaxStateFuture))
}

// sortStrings sorts s in place (insertion sort: the lists are short).
func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// MaxStateReports caps the reports one message may carry.
const MaxStateReports = 1000

// ParseStateReports reads a state message as devices send it over MQTT or
// REST: one {"data": {...}, "time": …, "meta": …, "flowVersion": …} report
// or an array of them. data is required and maps attribute names to
// numbers, strings or booleans; each time is read with ParseStateTime.
// Anything else is Validation.
func ParseStateReports(body []byte, now time.Time) ([]DeviceState, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || dec.More() {
		return nil, Errorf(Validation, "deviceState is not valid JSON")
	}
	items, isArray := raw.([]any)
	if !isArray {
		items = []any{raw}
	}
	if len(items) > MaxStateReports {
		return nil, Errorf(Validation, "deviceState has more than %d items", MaxStateReports)
	}
	out := make([]DeviceState, 0, len(items))
	for _, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, Errorf(Validation, "deviceState is the wrong type")
		}
		for k := range obj {
			switch k {
			case "data", "time", "meta", "flowVersion":
			default:
				return nil, Errorf(Validation, "deviceState.%s is not allowed", k)
			}
		}
		data, ok := obj["data"].(map[string]any)
		if !ok {
			return nil, Errorf(Validation, "deviceState.data is required and must be an object")
		}
		for name, v := range data {
			if !validTagKey(name) {
				return nil, Errorf(Validation, "deviceState.data.%s pattern mismatch", name)
			}
			switch v.(type) {
			case float64, string, bool:
			default:
				return nil, Errorf(Validation, "deviceState.data.%s is the wrong type", name)
			}
		}
		switch t := obj["time"].(type) {
		case nil, string, float64:
		case map[string]any:
			if _, ok := t["$date"].(string); !ok || len(t) != 1 {
				return nil, Errorf(Validation, "deviceState.time is the wrong type")
			}
		default:
			return nil, Errorf(Validation, "deviceState.time is the wrong type")
		}
		out = append(out, DeviceState{Time: ParseStateTime(obj["time"], now), Data: data})
	}
	return out, nil
}
