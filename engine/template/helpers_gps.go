package template

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// earthRadius is the mean Earth radius in metres used by gpsDistance.
const earthRadius = 6371e3

func init() {
	register(map[string]func(a args) (any, error){
		"gpsDistance": helperGPSDistance,
	})
}

// helperGPSDistance is the haversine distance in metres between two
// "lat,lng" decimal-degree points. Points it cannot read are an error.
func helperGPSDistance(a args) (any, error) {
	lat1, lng1, err := parsePoint(a.at(0))
	if err != nil {
		return nil, err
	}
	lat2, lng2, err := parsePoint(a.at(1))
	if err != nil {
		return nil, err
	}
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(1, h))), nil
}

// parsePoint reads a "lat,lng" decimal-degree string (or a [lat, lng]
// array / {lat, lng} object).
func parsePoint(v any) (lat, lng float64, err error) {
	var parts []any
	switch x := v.(type) {
	case string:
		for p := range strings.SplitSeq(x, ",") {
			parts = append(parts, strings.TrimSpace(p))
		}
	case []any:
		parts = x
	case map[string]any:
		parts = []any{x["lat"], x["lng"]}
		if x["lng"] == nil {
			parts[1] = x["lon"]
		}
	}
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("invalid GPS point %q", toText(v))
	}
	nums := [2]float64{}
	for i := range nums {
		f, err := coordinate(parts[i])
		if err != nil {
			return 0, 0, fmt.Errorf("invalid GPS point %q", toText(v))
		}
		nums[i] = f
	}
	if math.Abs(nums[0]) > 90 || math.Abs(nums[1]) > 180 {
		return 0, 0, fmt.Errorf("GPS point %q is out of range", toText(v))
	}
	return nums[0], nums[1], nil
}

// coordinate reads one decimal-degree coordinate.
func coordinate(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return 0, fmt.Errorf("NaN")
		}
		return x, nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("not a number")
		}
		return f, nil
	}
	return 0, fmt.Errorf("not a number")
}
