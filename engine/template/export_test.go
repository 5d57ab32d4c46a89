package template

import (
	"sort"
	"time"
)

// SetNow replaces the clock of the date helpers until the returned func is
// called.
func SetNow(f func() time.Time) (restore func()) {
	old := now
	now = f
	return func() { now = old }
}

// LosantHelpers returns the names of the helpers that are Losant's rather
// than Handlebars' own built-ins.
func LosantHelpers() []string {
	var names []string
	for name := range helpers {
		if name != "lookup" {
			names = append(names, name)
		}
	}
	for name := range unsupported {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
