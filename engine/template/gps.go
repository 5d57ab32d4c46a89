package template

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

// earthRadius is the mean Earth radius in metres, the sphere GPS distances
// are measured on.
const earthRadius = 6371e3

// GPSPoint is a position in decimal degrees.
type GPSPoint struct{ Lat, Lng float64 }

var (
	gpsDMS     = regexp.MustCompile(`(?i)(-?\d+(?:\.\d+)?)\s*[°d:\s]\s*(?:(\d+(?:\.\d+)?)\s*['′m:\s]\s*)?(?:(\d+(?:\.\d+)?)\s*(?:["″s]|'')?\s*)?([NSEW])`)
	gpsDecimal = regexp.MustCompile(`^\s*([-+]?\d+(?:\.\d+)?)\s*[,\s]\s*([-+]?\d+(?:\.\d+)?)\s*$`)
)

// ParseGPS reads a point in the forms Losant takes for GPS attributes: a
// string of decimal degrees ("lat,lng", or "lat lng"), degrees, minutes and
// seconds with hemisphere letters (37°19'56.39"N,122°1'52.38"W) or an NMEA
// GGA or GLL sentence; or a [lat, lng] array or a {lat, lng|lon} object.
// Both coordinates must be in range.
func ParseGPS(v any) (GPSPoint, error) {
	var pt GPSPoint
	ok := false
	switch x := v.(type) {
	case string:
		pt, ok = parseGPSString(x)
	case []any:
		if len(x) == 2 {
			pt, ok = GPSPoint{js.ToNumber(x[0]), js.ToNumber(x[1])}, true
		}
	case map[string]any:
		lng, has := x["lng"]
		if !has {
			lng = x["lon"]
		}
		pt, ok = GPSPoint{js.ToNumber(x["lat"]), js.ToNumber(lng)}, true
	}
	if !ok || math.IsNaN(pt.Lat) || math.IsNaN(pt.Lng) {
		return GPSPoint{}, fmt.Errorf("invalid GPS point %q", toText(v))
	}
	if !(math.Abs(pt.Lat) <= 90 && math.Abs(pt.Lng) <= 180) {
		return GPSPoint{}, fmt.Errorf("GPS point %q is out of range", toText(v))
	}
	return pt, nil
}

// parseGPSString reads a GPS string's coordinates, not checking their range.
func parseGPSString(s string) (GPSPoint, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		return parseNMEA(s)
	}
	if m := gpsDecimal.FindStringSubmatch(s); m != nil {
		lat, _ := strconv.ParseFloat(m[1], 64)
		lng, _ := strconv.ParseFloat(m[2], 64)
		return GPSPoint{lat, lng}, true
	}
	ms := gpsDMS.FindAllStringSubmatch(s, 2)
	if len(ms) != 2 {
		return GPSPoint{}, false
	}
	var pt GPSPoint
	for _, m := range ms {
		deg, _ := strconv.ParseFloat(m[1], 64)
		mins, _ := strconv.ParseFloat(m[2], 64)
		secs, _ := strconv.ParseFloat(m[3], 64)
		v := math.Abs(deg) + mins/60 + secs/3600
		if deg < 0 {
			v = -v
		}
		switch strings.ToUpper(m[4]) {
		case "S":
			pt.Lat = -v
		case "N":
			pt.Lat = v
		case "W":
			pt.Lng = -v
		case "E":
			pt.Lng = v
		}
	}
	return pt, true
}

// parseNMEA reads the position of a GGA or GLL sentence.
func parseNMEA(s string) (GPSPoint, bool) {
	s, _, _ = strings.Cut(s, "*")
	f := strings.Split(s, ",")
	var i int
	switch {
	case strings.HasSuffix(f[0], "GGA") && len(f) > 5:
		i = 2
	case strings.HasSuffix(f[0], "GLL") && len(f) > 4:
		i = 1
	default:
		return GPSPoint{}, false
	}
	lat, ok1 := nmeaDegrees(f[i], f[i+1], 2)
	lng, ok2 := nmeaDegrees(f[i+2], f[i+3], 3)
	return GPSPoint{lat, lng}, ok1 && ok2
}

// nmeaDegrees converts (d)ddmm.mmmm with a hemisphere letter.
func nmeaDegrees(v, hemi string, degDigits int) (float64, bool) {
	if len(v) < degDigits+2 {
		return 0, false
	}
	d, err1 := strconv.ParseFloat(v[:degDigits], 64)
	m, err2 := strconv.ParseFloat(v[degDigits:], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	deg := d + m/60
	switch hemi {
	case "S", "W":
		return -deg, true
	case "N", "E":
		return deg, true
	}
	return 0, false
}

// DistanceTo is the great-circle (haversine) distance from p to q in
// metres.
func (p GPSPoint) DistanceTo(q GPSPoint) float64 {
	rad := math.Pi / 180
	dLat, dLng := (q.Lat-p.Lat)*rad, (q.Lng-p.Lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(p.Lat*rad)*math.Cos(q.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(1, h)))
}
