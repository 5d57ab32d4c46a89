package weir

import (
	"context"
	"time"
)

// Limits of a device inactivity trigger's seconds, as Losant has them.
const (
	MinInactivity = time.Second
	MaxInactivity = 366 * 24 * time.Hour
)

// InactivityMark is one silence of a device under one inactivity trigger of
// a flow: the device has reported nothing since LastActivity, and the
// trigger fires Seconds after it.
type InactivityMark struct {
	FlowID       string
	TriggerKey   string
	DeviceID     string
	Seconds      int64
	LastActivity time.Time
}

// InactivityService keeps what the device inactivity triggers need to fire
// once per silence, across restarts and processes: each device's latest
// report, and the silences whose run was queued.
type InactivityService interface {
	// FindLastActivity returns, by device id, the time of the latest report
	// of each device of the application that has reported state.
	FindLastActivity(ctx context.Context, applicationID string) (map[string]time.Time, error)

	// BeginInactivity records that m's silence is being fired and reports
	// whether it still needs a run: false once EndInactivity recorded m (a
	// new LastActivity or Seconds is a new silence). Deleting the flow or
	// the device deletes its marks.
	BeginInactivity(ctx context.Context, m InactivityMark) (bool, error)

	// EndInactivity records that the run for m's silence was queued.
	EndInactivity(ctx context.Context, m InactivityMark) error
}
