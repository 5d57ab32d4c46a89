package nodes

import (
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

// timeSource is a node's timeSourceType and timeSourcePath: the time
// something it writes carries (now, the payload's time, or a payload path's
// value).
type timeSource struct {
	kind string // now, payloadTime or payloadPath
	at   path.Path
}

// compileTimeSource reads timeSourceType (blank: def) and timeSourcePath.
func compileTimeSource(kind, pathSrc, def string) (timeSource, error) {
	if kind == "" {
		kind = def
	}
	t := timeSource{kind: kind}
	switch kind {
	case "now", "payloadTime":
	case "payloadPath":
		var err error
		if t.at, _, err = engine.CompilePath("timeSourcePath", pathSrc, true); err != nil {
			return t, err
		}
	default:
		return t, engine.Errorf("Validation", "timeSourceType must be now, payloadTime or payloadPath")
	}
	return t, nil
}

// time returns the time the source selects, read as Losant reads times;
// unreadable or missing is now.
func (t timeSource) time(now time.Time, p engine.Payload) time.Time {
	switch t.kind {
	case "payloadTime":
		return weir.ParseStateTime(toStateTime(p["time"]), now)
	case "payloadPath":
		return weir.ParseStateTime(toStateTime(t.at.Get(p)), now)
	}
	return now.UTC().Truncate(time.Millisecond)
}
