package weir_test

import (
	"testing"
	"time"

	"github.com/weirhq/weir"
)

func TestConvertAttributeValue(t *testing.T) {
	tests := []struct {
		name     string
		dataType string
		in       any
		want     any
		ok       bool
	}{
		{"NumberOK", weir.AttributeNumber, 2.5, 2.5, true},
		{"NumberFromString", weir.AttributeNumber, " 42 ", 42.0, true},
		{"NumberFromBool", weir.AttributeNumber, true, 1.0, true},
		{"ErrNumberFromWord", weir.AttributeNumber, "hot", nil, false},
		{"StringFromNumber", weir.AttributeString, 7.25, "7.25", true},
		{"StringFromBool", weir.AttributeString, false, "false", true},
		{"BooleanFromString", weir.AttributeBoolean, "TRUE", true, true},
		{"BooleanFromZero", weir.AttributeBoolean, 0.0, false, true},
		{"ErrBooleanFromWord", weir.AttributeBoolean, "maybe", nil, false},
		{"GPSDecimal", weir.AttributeGPS, "39.1,-84.5", "39.1,-84.5", true},
		{"GPSNMEA", weir.AttributeGPS, "$GPGLL,3751.65,S,14507.36,E", "$GPGLL,3751.65,S,14507.36,E", true},
		{"ErrGPSOutOfRange", weir.AttributeGPS, "91,10", nil, false},
		{"ErrGPSNumber", weir.AttributeGPS, 3.0, nil, false},
		{"Blob", weir.AttributeBlob, "aGk=", "aGk=", true},
		{"ErrUnknownType", "color", "red", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := weir.ConvertAttributeValue(tc.dataType, tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("ConvertAttributeValue(%q, %v) = %v, %v; want %v, %v", tc.dataType, tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestNormalizeStateDropsUnknownAndUnconvertible(t *testing.T) {
	d := &weir.Device{Attributes: []weir.DeviceAttribute{{Name: "temp", DataType: weir.AttributeNumber}}}
	got, dropped := weir.NormalizeState(d, map[string]any{"temp": "bad", "other": 1.0})
	if len(got) != 0 || len(dropped) != 2 || dropped[0] != "other" || dropped[1] != "temp" {
		t.Errorf("NormalizeState = %v, dropped %v; want nothing kept, [other temp] dropped", got, dropped)
	}
}

func TestParseStateTime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	iso := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   any
		want time.Time
	}{
		{"Missing", nil, now},
		{"ISO", "2025-12-31T00:00:00Z", iso},
		{"DateObject", map[string]any{"$date": "2025-12-31T00:00:00.000Z"}, iso},
		{"Seconds", float64(iso.Unix()), iso},
		{"Millis", float64(iso.UnixMilli()), iso},
		{"NegativeIsBeforeNow", -1000.0, now.Add(-time.Second)},
		{"Unreadable", "soon", now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := weir.ParseStateTime(tc.in, now); !got.Equal(tc.want) {
				t.Errorf("ParseStateTime(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestApplicationKeyAllows(t *testing.T) {
	d := &weir.Device{ID: "5a1b2c3d4e5f60718293a4b5", ApplicationID: "app", Tags: []weir.DeviceTag{{Key: "kind", Value: "gw"}}}
	tests := []struct {
		name string
		key  weir.ApplicationKey
		want bool
	}{
		{"AllDevices", weir.ApplicationKey{ApplicationID: "app", Status: weir.KeyActive}, true},
		{"Inactive", weir.ApplicationKey{ApplicationID: "app", Status: weir.KeyInactive}, false},
		{"OtherApplication", weir.ApplicationKey{ApplicationID: "other", Status: weir.KeyActive}, false},
		{"ByID", weir.ApplicationKey{ApplicationID: "app", Status: weir.KeyActive, DeviceIDs: []string{d.ID}}, true},
		{"ByTag", weir.ApplicationKey{ApplicationID: "app", Status: weir.KeyActive, DeviceTags: []weir.DeviceTag{{Key: "kind", Value: "gw"}}}, true},
		{"NotNamed", weir.ApplicationKey{ApplicationID: "app", Status: weir.KeyActive, DeviceIDs: []string{"5a1b2c3d4e5f60718293a4b6"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.key.Allows(d); got != tc.want {
				t.Errorf("Allows = %v, want %v", got, tc.want)
			}
		})
	}
}
