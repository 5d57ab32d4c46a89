package nodes

import (
	"slices"

	"github.com/dop251/goja"
)

// shallowOpen is how many of the outermost open objects openObjects finds
// by a scan rather than in its map.
const shallowOpen = 32

// openObjects is the path of objects an export is inside, to detect
// cycles. Most results are shallow: their path is scanned, and a map is
// only made for the objects nested deeper than shallowOpen.
type openObjects struct {
	path []*goja.Object
	deep map[*goja.Object]bool
}

// enter adds o to the path; false means o is already on it (a cycle) and
// nothing was added.
func (p *openObjects) enter(o *goja.Object) bool {
	if slices.Contains(p.path[:min(len(p.path), shallowOpen)], o) || p.deep[o] {
		return false
	}
	if len(p.path) >= shallowOpen {
		if p.deep == nil {
			p.deep = map[*goja.Object]bool{}
		}
		p.deep[o] = true
	}
	p.path = append(p.path, o)
	return true
}

// leave removes the innermost object from the path.
func (p *openObjects) leave() {
	last := len(p.path) - 1
	if last >= shallowOpen {
		delete(p.deep, p.path[last])
	}
	p.path = p.path[:last]
}
