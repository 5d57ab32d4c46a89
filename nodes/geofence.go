package nodes

import (
	"context"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

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
			d := pt.DistanceTo(center)
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
			q, okV := parseGPSPoint(v)
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
type gpsPoint = template.GPSPoint

// parseGPSPoint reads a point from a string (decimal "lat,lon", DMS with
// hemisphere letters or an NMEA GGA/GLL sentence), a [lat, lon] array or a
// {lat, lon|lng} object.
func parseGPSPoint(v any) (gpsPoint, bool) {
	pt, err := template.ParseGPS(v)
	return pt, err == nil
}

// gpsInPolygon casts a ray in the lat/lon plane (even-odd rule).
func gpsInPolygon(pt gpsPoint, poly []gpsPoint) bool {
	inside := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Lat > pt.Lat) != (b.Lat > pt.Lat) &&
			pt.Lng < (b.Lng-a.Lng)*(pt.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lng {
			inside = !inside
		}
	}
	return inside
}

var _ engine.Node = (*geofence)(nil)
