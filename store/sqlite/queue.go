package sqlite

import (
	"container/heap"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// queued is a stored run as the in-memory queue tracks it.
type queued struct {
	run        *weir.Run
	seq        int64 // row of the run in the runs table
	order      int64 // when it last became pending: claims go by it
	deliveries int   // claims so far, those recorded in the runs table included
	saved      int   // deliveries as recorded in the runs table
	leased     bool  // handed out and not yet expired
	lease      int   // generation of the current lease
	gone       bool  // completed or deleted
}

// lease records when a claim expires.
type lease struct {
	q     *queued
	gen   int
	until time.Time
}

// runQueue leases the stored runs to claimers. It holds every uncompleted
// run in memory: pending ones in acceptance order, leased ones with their
// expiry. The runs table is the durable copy; this is rebuilt from it on Open.
//
// The pending runs are kept in one line per flow (and application), and the
// lines in a heap by the order of their first run: a claim takes the oldest
// runs of the lines it does not skip, and steps over a skipped line at the
// cost of one heap operation, however many runs wait in it (an executor
// skips a flow running its share of the workers, typically the one whose
// runs pile up).
type runQueue struct {
	mu      sync.Mutex
	runs    map[string]*queued
	lines   map[lineKey]*line // the lines holding pending entries
	heads   lineHeap          // the same lines, by the order of their first entry
	order   int64             // the last order given
	leases  []lease           // in claim order, so in expiry order for a steady clock
	waiters int
	wake    chan struct{} // closed and replaced when runs become pending
	closed  chan struct{}
}

// lineKey names the line of a run.
type lineKey struct{ flow, app string }

// line holds the pending runs of one flow and application, in order; it may
// hold gone or leased entries, dropped when they reach its head.
type line struct {
	key     lineKey
	entries []*queued
	index   int // in runQueue.heads
}

// lineHeap orders lines by the order of their first entry (container/heap).
type lineHeap []*line

func (h lineHeap) Len() int           { return len(h) }
func (h lineHeap) Less(i, j int) bool { return h[i].entries[0].order < h[j].entries[0].order }
func (h lineHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *lineHeap) Push(x any) {
	l := x.(*line)
	l.index = len(*h)
	*h = append(*h, l)
}
func (h *lineHeap) Pop() any {
	old := *h
	l := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return l
}

// push makes e pending, after every entry pending now; q.mu must be held.
func (q *runQueue) push(e *queued) {
	q.order++
	e.order = q.order
	k := lineKey{e.run.FlowID, e.run.ApplicationID}
	if l := q.lines[k]; l != nil {
		l.entries = append(l.entries, e)
		return
	}
	l := &line{key: k, entries: []*queued{e}}
	q.lines[k] = l
	heap.Push(&q.heads, l)
}

// popHead removes the first entry of the line at the top of the heap;
// q.mu must be held.
func (q *runQueue) popHead() {
	l := q.heads[0]
	l.entries[0] = nil
	l.entries = l.entries[1:]
	if len(l.entries) == 0 {
		heap.Pop(&q.heads)
		delete(q.lines, l.key)
		return
	}
	heap.Fix(&q.heads, 0)
}

// len returns the number of runs waiting or leased.
func (q *runQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.runs)
}

func newRunQueue() *runQueue {
	return &runQueue{
		runs:   map[string]*queued{},
		lines:  map[lineKey]*line{},
		wake:   make(chan struct{}),
		closed: make(chan struct{}),
	}
}

// add makes run, stored at row seq with its first delivery counted
// already, pending and wakes waiting claimers: its first claim has no count
// to record.
func (q *runQueue) add(run *weir.Run, seq int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e := &queued{run: run, seq: seq, saved: 1}
	q.runs[run.ID] = e
	q.push(e)
	q.signal()
}

// load is add for a run the runs table records as delivered deliveries
// times.
func (q *runQueue) load(run *weir.Run, seq int64, deliveries int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e := &queued{run: run, seq: seq, deliveries: deliveries, saved: deliveries}
	q.runs[run.ID] = e
	q.push(e)
	q.signal()
}

// seq returns the row of the queued run with id.
func (q *runQueue) seq(id string) (int64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.runs[id]
	if !ok {
		return 0, false
	}
	return e.seq, true
}

// remove forgets the run with id.
func (q *runQueue) remove(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.runs[id]; ok {
		e.gone = true
		delete(q.runs, id)
	}
}

// removeFlows forgets every run of the flows.
func (q *runQueue) removeFlows(flowIDs ...string) {
	if len(flowIDs) == 0 {
		return
	}
	ids := make(map[string]bool, len(flowIDs))
	for _, id := range flowIDs {
		ids[id] = true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, e := range q.runs {
		if ids[e.run.FlowID] {
			e.gone = true
			delete(q.runs, id)
		}
	}
}

// take leases up to max pending runs until now+d, after re-offering the
// runs whose lease expired by now. It returns copies and the delivery
// counts to record (those above what is stored), or the channel to wait on and the time the next lease expires
// (zero if none) when nothing is pending.
func (q *runQueue) take(max int, now time.Time, d time.Duration, skip weir.RunSkip) ([]*weir.Run, []delivered, chan struct{}, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var (
		runs  []*weir.Run
		taken []delivered
	)
	if q.isClosed() { // no claim after unsaved took the counts
		q.waiters++
		return nil, nil, q.wake, time.Time{}
	}
	q.expire(now)
	var aside []*line // skipped lines, out of the heap until the claim ends
	for len(runs) < max && len(q.heads) > 0 {
		e := q.heads[0].entries[0]
		if !e.gone && !e.leased && skip.Skips(e.run) {
			// Every run of the line has the same flow and application:
			// the whole line stays pending, in its place.
			aside = append(aside, heap.Pop(&q.heads).(*line))
			continue
		}
		q.popHead()
		if e.gone || e.leased {
			continue
		}
		e.leased = true
		e.lease++
		q.leases = append(q.leases, lease{q: e, gen: e.lease, until: now.Add(d)})
		r := *e.run
		r.Attempt += e.deliveries
		e.deliveries++
		runs = append(runs, &r)
		if e.deliveries > e.saved {
			taken = append(taken, delivered{e.seq, e.run.ID, e.deliveries})
		}
	}
	for _, l := range aside {
		heap.Push(&q.heads, l)
	}
	if len(runs) > 0 {
		return runs, taken, nil, time.Time{}
	}
	var next time.Time
	for len(q.leases) > 0 && !q.live(q.leases[0]) {
		q.leases = q.leases[1:]
	}
	if len(q.leases) > 0 {
		next = q.leases[0].until
	}
	q.waiters++
	return nil, nil, q.wake, next
}

// done ends a wait that take started.
func (q *runQueue) done() {
	q.mu.Lock()
	q.waiters--
	q.mu.Unlock()
}

// expire re-offers the runs whose lease ended by now.
func (q *runQueue) expire(now time.Time) {
	for len(q.leases) > 0 && !q.leases[0].until.After(now) {
		l := q.leases[0]
		q.leases = q.leases[1:]
		if q.live(l) {
			l.q.leased = false
			q.push(l.q)
		}
	}
}

// live reports whether l is the current lease of a run still queued.
func (q *runQueue) live(l lease) bool {
	return !l.q.gone && l.q.leased && l.q.lease == l.gen
}

// signal wakes the waiting claimers; q.mu must be held.
func (q *runQueue) signal() {
	if q.waiters == 0 {
		return
	}
	close(q.wake)
	q.wake = make(chan struct{})
}

// close makes waiting and future claims fail.
func (q *runQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.isClosed() {
		close(q.closed)
	}
}

// isClosed reports whether close was called.
func (q *runQueue) isClosed() bool {
	select {
	case <-q.closed:
		return true
	default:
		return false
	}
}

// delivered is a queued run's delivery count to record.
type delivered struct {
	seq        int64
	id         string
	deliveries int
}

// unsaved returns the runs delivered since their count was last recorded.
func (q *runQueue) unsaved() []delivered {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []delivered
	for _, e := range q.runs {
		if e.deliveries != e.saved {
			out = append(out, delivered{e.seq, e.run.ID, e.deliveries})
		}
	}
	return out
}

// markSaved notes that the counts of runs are recorded.
func (q *runQueue) markSaved(runs []delivered) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range runs {
		if e, ok := q.runs[r.id]; ok && e.seq == r.seq && r.deliveries > e.saved {
			e.saved = r.deliveries
		}
	}
}
