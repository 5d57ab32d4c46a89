package engine

import (
	"sync"

	"github.com/weirhq/weir"
)

// shares counts the runs each flow and application is executing, so that
// the executor claims no more runs of one than its share of the workers:
// one flow (or application) saturating the workers would otherwise keep
// every other's runs waiting until its own finish.
type shares struct {
	flowMax, appMax int

	mu      sync.Mutex
	flows   map[string]int
	apps    map[string]int
	changed chan struct{} // closed and replaced when a flow or application falls below its share
}

func newShares(flowMax, appMax int) *shares {
	return &shares{flowMax: flowMax, appMax: appMax, flows: map[string]int{}, apps: map[string]int{},
		changed: make(chan struct{})}
}

// skip returns the flows and applications at their share, the most runs a
// claim may take so that none goes past its share (at most n), and a
// channel closed when one of them falls below its share.
func (s *shares) skip(n int) (weir.RunSkip, int, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var skip weir.RunSkip
	flowRoom, appRoom := s.flowMax, s.appMax
	for id, c := range s.flows {
		if c >= s.flowMax {
			skip.Flows = append(skip.Flows, id)
		} else {
			flowRoom = min(flowRoom, s.flowMax-c)
		}
	}
	for id, c := range s.apps {
		if c >= s.appMax {
			skip.Applications = append(skip.Applications, id)
		} else {
			appRoom = min(appRoom, s.appMax-c)
		}
	}
	return skip, max(1, min(n, flowRoom, appRoom)), s.changed
}

// start counts run as executing.
func (s *shares) start(run *weir.Run) {
	s.mu.Lock()
	s.flows[run.FlowID]++
	s.apps[run.ApplicationID]++
	s.mu.Unlock()
}

// done counts run as finished.
func (s *shares) done(run *weir.Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, a := s.flows[run.FlowID], s.apps[run.ApplicationID]
	if f == s.flowMax || a == s.appMax {
		close(s.changed)
		s.changed = make(chan struct{})
	}
	if f <= 1 {
		delete(s.flows, run.FlowID)
	} else {
		s.flows[run.FlowID] = f - 1
	}
	if a <= 1 {
		delete(s.apps, run.ApplicationID)
	} else {
		s.apps[run.ApplicationID] = a - 1
	}
}
