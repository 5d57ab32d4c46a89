package sqlite

import (
	"strconv"
	"testing"
	"time"

	"github.com/weirhq/weir"
)

// TestTakeStepsOverSkippedFlow queues 100,000 runs of one flow (the flow
// an executor skips while it runs its share) and then, one at a time, runs
// of other flows: each claim skipping the busy flow gets the other flow's
// run at once, in order, without walking the busy flow's runs (2,000
// claims walking them took seconds), and the busy flow's runs then come
// out in their order.
func TestTakeStepsOverSkippedFlow(t *testing.T) {
	q := newRunQueue()
	seq := int64(0)
	add := func(flow string, n int) {
		seq++
		q.add(&weir.Run{ID: flow + strconv.Itoa(n), FlowID: flow, ApplicationID: "app"}, seq)
	}
	const busy = 100_000
	for i := range busy {
		add("busy", i)
	}
	skip := weir.RunSkip{Flows: []string{"busy"}}
	now := time.Now()
	start := time.Now()
	for i := range 2000 {
		add("other"+strconv.Itoa(i%3), i)
		runs, _, _, _ := q.take(1, now, time.Minute, skip)
		if len(runs) != 1 || runs[0].ID != "other"+strconv.Itoa(i%3)+strconv.Itoa(i) {
			t.Fatalf("claim %d skipping the busy flow = %v, want the other flow's run %d", i, runs, i)
		}
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("2,000 claims stepping over 100,000 skipped runs took %s", took)
	}
	runs, _, _, _ := q.take(3, now, time.Minute, weir.RunSkip{Applications: []string{"app"}})
	if len(runs) != 0 {
		t.Fatalf("claim skipping the application = %d runs, want none", len(runs))
	}
	for i := range busy {
		runs, _, _, _ := q.take(1, now, time.Minute, weir.RunSkip{})
		if len(runs) != 1 || runs[0].ID != "busy"+strconv.Itoa(i) {
			t.Fatalf("claim %d = %v, want busy%d", i, runs, i)
		}
	}
}

// TestTakeOrderAcrossFlows checks that claims hand out the runs of several
// flows in the order they were queued, a run whose lease expired after
// those queued before it expired.
func TestTakeOrderAcrossFlows(t *testing.T) {
	q := newRunQueue()
	order := []string{"a", "b", "a", "c", "b", "b", "a"}
	for i, f := range order {
		q.add(&weir.Run{ID: strconv.Itoa(i), FlowID: f, ApplicationID: "app"}, int64(i+1))
	}
	now := time.Now()
	first, _, _, _ := q.take(1, now, time.Second, weir.RunSkip{})
	if len(first) != 1 || first[0].ID != "0" {
		t.Fatalf("first claim = %v, want run 0", first)
	}
	// Run 0's lease expires: it is offered again after those waiting.
	var got []string
	for {
		runs, _, _, _ := q.take(2, now.Add(2*time.Second), time.Minute, weir.RunSkip{})
		if len(runs) == 0 {
			break
		}
		for _, r := range runs {
			got = append(got, r.ID)
		}
	}
	if want := "1 2 3 4 5 6 0"; joinIDs(got) != want {
		t.Fatalf("claims = %s, want %s", joinIDs(got), want)
	}
}

func joinIDs(ids []string) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += " "
		}
		s += id
	}
	return s
}
