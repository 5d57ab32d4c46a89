package template

import "time"

// SetNow replaces the clock of the date helpers until the returned func is
// called.
func SetNow(f func() time.Time) (restore func()) {
	old := now
	now = f
	return func() { now = old }
}
