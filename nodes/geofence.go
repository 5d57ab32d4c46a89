package nodes

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

// geofenceEarthRadius is the mean Earth radius in metres.
const geofenceEarthRadius = 6371e3

var geofenceCheckTypes = []string{"radius", "polygonCoords", "polygon"}

func init() {
	engine.Register(engine.Spec{
		Type:     "GeofenceNode",
		Name:     "geofence",
		Category: "logic",
		Summary:  "Branches on whether a GPS point lies within a radius of a center or inside a polygon.",
		Outputs:  []string{"outside, or not computable (a point or the radius could not be read)", "inside"},
		Fields: []engine.Field{
			{Name: "checkType", Kind: "enum", Enum: geofenceCheckTypes, Default: "radius",
				Doc: "radius: within radius metres of gpsCenter; polygonCoords: inside the polygon of polygonCoords; polygon: inside the polygon at polygonPath."},
			{Name: "gpsCheck", Kind: "template", Required: true,
				Doc: "The point: decimal \"lat,lon\" (or \"lat lon\"), degrees-minutes-seconds (40°26'46\"N 79°58'56\"W), or an NMEA GGA/GLL sentence."},
			{Name: "gpsCenter", Kind: "template", Doc: "radius: the center point, in any point form."},
			{Name: "radius", Kind: "template", Doc: "radius: metres; inside when the great-circle (haversine) distance is at most this."},
			{Name: "polygonCoords", Kind: "template", Doc: "polygonCoords: the polygon's points, one per line, in order."},
			{Name: "polygonPath", Kind: "path", Doc: "polygon: an array of points (strings, [lat, lon] pairs or {lat, lon} objects), in order."},
			{Name: "resultPath", Kind: "path", Doc: "radius: receives the distance in metres; polygon modes: true/false. Not written when not computable."},
			{Name: "branchPath", Kind: "path", Doc: "Receives true when inside, false otherwise."},
		},
	}, buildGeofence)
}

type geofence struct {
	checkType                            string
	check, center, radius, polygonCoords *template.Template
	polygonPath, resultPath, branchPath  path.Path
	hasResult, hasBranch                 bool
}

func buildGeofence(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		CheckType     string      `json:"checkType"`
		GPSCheck      engine.Text `json:"gpsCheck"`
		GPSCenter     engine.Text `json:"gpsCenter"`
		Radius        engine.Text `json:"radius"`
		PolygonCoords engine.Text `json:"polygonCoords"`
		PolygonPath   string      `json:"polygonPath"`
		ResultPath    string      `json:"resultPath"`
		BranchPath    string      `json:"branchPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &geofence{checkType: cfg.CheckType}
	if n.checkType == "" {
		n.checkType = "radius"
	}
	if !slices.Contains(geofenceCheckTypes, n.checkType) {
		return nil, engine.Errorf("Validation", "checkType must be one of %v", geofenceCheckTypes)
	}
	if strings.TrimSpace(string(cfg.GPSCheck)) == "" {
		return nil, engine.Errorf("Validation", "GPS point to check is required")
	}
	var err error
	if n.checkType == "polygon" {
		if n.polygonPath, _, err = engine.CompilePath("polygonPath", cfg.PolygonPath, true); err != nil {
			return nil, err
		}
	}
	if n.resultPath, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	if n.branchPath, n.hasBranch, err = engine.CompilePath("branchPath", cfg.BranchPath, false); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.check, "gpsCheck", cfg.GPSCheck},
		{&n.center, "gpsCenter", cfg.GPSCenter},
		{&n.radius, "radius", cfg.Radius},
		{&n.polygonCoords, "polygonCoords", cfg.PolygonCoords},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec takes output 1 when the point is inside, 0 when it is outside or
// cannot be checked.
func (n *geofence) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	r := renderer{p: p}
	pt, ok := parseGPSPoint(r.text(n.check, "gpsCheck", ""))
	var result any
	inside := false
	switch n.checkType {
	case "radius":
		center, okCenter := parseGPSPoint(r.text(n.center, "gpsCenter", ""))
		radius := js.ToNumber(r.text(n.radius, "radius", "NaN"))
		if ok = ok && okCenter && radius >= 0; ok {
			d := gpsDistance(pt, center)
			result, inside = d, d <= radius
		}
	case "polygonCoords":
		var poly []gpsPoint
		for line := range strings.SplitSeq(r.text(n.polygonCoords, "polygonCoords", ""), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			v, okV := parseGPSPoint(line)
			ok = ok && okV
			poly = append(poly, v)
		}
		if ok = ok && len(poly) >= 3; ok {
			inside = gpsInPolygon(pt, poly)
			result = inside
		}
	case "polygon":
		list, isList := n.polygonPath.Get(p).([]any)
		poly := make([]gpsPoint, 0, len(list))
		for _, v := range list {
			q, okV := gpsPointOf(v)
			ok = ok && okV
			poly = append(poly, q)
		}
		if ok = ok && isList && len(poly) >= 3; ok {
			inside = gpsInPolygon(pt, poly)
			result = inside
		}
	}
	if r.err != nil {
		return 0, r.err
	}
	if ok && n.hasResult {
		if err := n.resultPath.Set(p, result); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
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

// gpsPoint is a position in decimal degrees.
type gpsPoint struct{ lat, lon float64 }

var (
	gpsDMS     = regexp.MustCompile(`(?i)(-?\d+(?:\.\d+)?)\s*[°d:\s]\s*(?:(\d+(?:\.\d+)?)\s*['′m:\s]\s*)?(?:(\d+(?:\.\d+)?)\s*(?:["″s]|'')?\s*)?([NSEW])`)
	gpsDecimal = regexp.MustCompile(`^\s*([-+]?\d+(?:\.\d+)?)\s*[,\s]\s*([-+]?\d+(?:\.\d+)?)\s*$`)
)

// gpsPointOf reads a point from a string, a [lat, lon] array or a
// {lat, lon|lng} object.
func gpsPointOf(v any) (gpsPoint, bool) {
	switch x := v.(type) {
	case string:
		return parseGPSPoint(x)
	case []any:
		if len(x) == 2 {
			return gpsValid(js.ToNumber(x[0]), js.ToNumber(x[1]))
		}
	case map[string]any:
		lon, ok := x["lon"]
		if !ok {
			lon = x["lng"]
		}
		return gpsValid(js.ToNumber(x["lat"]), js.ToNumber(lon))
	}
	return gpsPoint{}, false
}

// parseGPSPoint reads decimal "lat,lon", DMS with hemisphere letters, or an
// NMEA GGA/GLL sentence.
func parseGPSPoint(s string) (gpsPoint, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "$") {
		return parseNMEA(s)
	}
	if m := gpsDecimal.FindStringSubmatch(s); m != nil {
		lat, _ := strconv.ParseFloat(m[1], 64)
		lon, _ := strconv.ParseFloat(m[2], 64)
		return gpsValid(lat, lon)
	}
	ms := gpsDMS.FindAllStringSubmatch(s, 2)
	if len(ms) != 2 {
		return gpsPoint{}, false
	}
	var pt gpsPoint
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
			pt.lat = -v
		case "N":
			pt.lat = v
		case "W":
			pt.lon = -v
		case "E":
			pt.lon = v
		}
	}
	return gpsValid(pt.lat, pt.lon)
}

// parseNMEA reads the position of a GGA or GLL sentence.
func parseNMEA(s string) (gpsPoint, bool) {
	s, _, _ = strings.Cut(s, "*")
	f := strings.Split(s, ",")
	var i int
	switch {
	case strings.HasSuffix(f[0], "GGA") && len(f) > 5:
		i = 2
	case strings.HasSuffix(f[0], "GLL") && len(f) > 4:
		i = 1
	default:
		return gpsPoint{}, false
	}
	lat, ok1 := nmeaDegrees(f[i], f[i+1], 2)
	lon, ok2 := nmeaDegrees(f[i+2], f[i+3], 3)
	if !ok1 || !ok2 {
		return gpsPoint{}, false
	}
	return gpsValid(lat, lon)
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

// gpsValid returns the point when both coordinates are in range.
func gpsValid(lat, lon float64) (gpsPoint, bool) {
	if !(math.Abs(lat) <= 90 && math.Abs(lon) <= 180) {
		return gpsPoint{}, false
	}
	return gpsPoint{lat, lon}, true
}

// gpsDistance is the haversine great-circle distance in metres.
func gpsDistance(a, b gpsPoint) float64 {
	rad := math.Pi / 180
	dLat, dLon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * geofenceEarthRadius * math.Asin(math.Sqrt(min(1, h)))
}

// gpsInPolygon casts a ray in the lat/lon plane (even-odd rule).
func gpsInPolygon(pt gpsPoint, poly []gpsPoint) bool {
	inside := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.lat > pt.lat) != (b.lat > pt.lat) &&
			pt.lon < (b.lon-a.lon)*(pt.lat-a.lat)/(b.lat-a.lat)+a.lon {
			inside = !inside
		}
	}
	return inside
}

var _ engine.Node = (*geofence)(nil)
