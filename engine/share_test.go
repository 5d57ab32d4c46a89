package engine

import (
	"slices"
	"testing"

	"github.com/weirhq/weir"
)

// TestSharesSkipAndRoom checks which flows and applications a claim skips
// and how many runs it may take, as runs start and finish.
func TestSharesSkipAndRoom(t *testing.T) {
	s := newShares(2, 3)
	a1 := &weir.Run{FlowID: "f1", ApplicationID: "a"}
	a2 := &weir.Run{FlowID: "f2", ApplicationID: "a"}
	b := &weir.Run{FlowID: "g", ApplicationID: "b"}
	check := func(when string, n, wantN int, wantFlows, wantApps []string) <-chan struct{} {
		t.Helper()
		skip, got, changed := s.skip(n)
		slices.Sort(skip.Flows)
		if got != wantN || !slices.Equal(skip.Flows, wantFlows) || !slices.Equal(skip.Applications, wantApps) {
			t.Fatalf("%s: skip(%d) = %+v, %d; want flows %v, applications %v, %d runs", when, n, skip, got, wantFlows, wantApps, wantN)
		}
		return changed
	}
	check("idle", 10, 2, nil, nil) // no flow may take more than 2 in one claim
	s.start(a1)
	check("f1 runs 1", 10, 1, nil, nil)
	s.start(a1)
	check("f1 at its share", 10, 1, []string{"f1"}, nil)
	s.start(a2)
	changed := check("application a at its share", 10, 1, []string{"f1"}, []string{"a"})
	s.start(b)
	s.done(b) // b was not at its share: nothing changes for the skipped
	select {
	case <-changed:
		t.Fatal("changed closed when a run of a flow below its share finished")
	default:
	}
	s.done(a1)
	select {
	case <-changed:
	default:
		t.Fatal("changed not closed when f1 and a fell below their shares")
	}
	check("after a run of f1", 10, 1, nil, nil)
	s.done(a1)
	s.done(a2)
	check("idle again", 10, 2, nil, nil)
	if len(s.flows) != 0 || len(s.apps) != 0 {
		t.Fatalf("counts %v %v left after every run finished", s.flows, s.apps)
	}
}
