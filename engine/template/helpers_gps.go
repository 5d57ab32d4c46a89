package template

import (
	"fmt"
	"math"
	"strings"

	"github.com/weirhq/weir/engine/js"
)

func init() {
	register(map[string]func(a args) (any, error){
		"gpsDistance": helperGPSDistance,
		"formatGps":   helperFormatGPS,
	})
}

// helperGPSDistance is the haversine distance in metres between two
// points in any form ParseGPS reads. Points it cannot read are an error.
func helperGPSDistance(a args) (any, error) {
	p, err := ParseGPS(a.at(0))
	if err != nil {
		return nil, err
	}
	q, err := ParseGPS(a.at(1))
	if err != nil {
		return nil, err
	}
	return p.DistanceTo(q), nil
}

// helperFormatGPS writes a point in any form ParseGPS reads as "lat,lng"
// in decimal degrees (format "decimal", the default) or in degrees,
// minutes and seconds with hemisphere letters (format "dms":
// 37°19'56.39"N,122°1'52.38"W), with as many decimals as a third argument
// says (decimal: all, as JavaScript prints the numbers; dms: 2 of the
// seconds). A value that is not a point writes nothing, so that
// {{#if (formatGps x)}} tells whether x is one; an unknown format is an
// error.
func helperFormatGPS(a args) (any, error) {
	format := "decimal"
	if a.has(1) {
		if s := toText(a.at(1)); s != "" {
			format = strings.ToLower(s)
		}
	}
	decimals := -1
	if a.has(2) {
		n := js.ToNumber(a.at(2))
		if math.IsNaN(n) || n < 0 || n > 20 {
			return nil, fmt.Errorf("formatGps: the number of decimals must be between 0 and 20")
		}
		decimals = int(n)
	}
	if format != "decimal" && format != "dms" {
		return nil, fmt.Errorf("formatGps: unknown format %q (decimal or dms)", format)
	}
	pt, err := ParseGPS(a.at(0))
	if err != nil {
		return "", nil
	}
	if format == "dms" {
		return dms(pt.Lat, "N", "S", decimals) + "," + dms(pt.Lng, "E", "W", decimals), nil
	}
	num := js.FormatNumber
	if decimals >= 0 {
		num = func(x float64) string { return toFixed(x, decimals) }
	}
	return num(pt.Lat) + "," + num(pt.Lng), nil
}

// dms writes one coordinate as degrees, minutes and seconds (with decimals
// decimals, 2 when negative) and its hemisphere letter.
func dms(v float64, pos, neg string, decimals int) string {
	if decimals < 0 {
		decimals = 2
	}
	hemi := pos
	if v < 0 {
		hemi, v = neg, -v
	}
	// Round the seconds first, so that 59.999… carries into the minutes.
	scale := math.Pow(10, float64(decimals))
	total := math.Round(v*3600*scale) / scale
	deg := math.Floor(total / 3600)
	mins := math.Floor((total - deg*3600) / 60)
	secs := total - deg*3600 - mins*60
	return fmt.Sprintf("%.0f°%.0f'%s\"%s", deg, mins, toFixed(secs, decimals), hemi)
}
