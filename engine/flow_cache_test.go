package engine_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// flowStore is an in-memory flow store standing in for one shared with
// another process: tests change it behind the cache's back.
type flowStore struct {
	mu            sync.Mutex
	flows         []*weir.Flow
	byID, listAll int // reads of one flow, full listings
	stamps        int // one-flow listings by lastUpdated
}

func (s *flowStore) service() *mock.FlowService {
	return &mock.FlowService{
		FindFlowByIDFn: func(_ context.Context, app, id string) (*weir.Flow, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.byID++
			for _, f := range s.flows {
				if f.ApplicationID == app && f.ID == id {
					c := *f
					return &c, nil
				}
			}
			return nil, weir.Errorf(weir.NotFound, "Flow was not found")
		},
		FindFlowsFn: func(_ context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			var out []*weir.Flow
			for _, f := range s.flows {
				if f.ApplicationID == filter.ApplicationID {
					c := *f
					out = append(out, &c)
				}
			}
			n := len(out)
			if filter.PerPage == 1 && filter.SortField == "lastUpdated" && filter.SortDirection == "desc" {
				s.stamps++
				slices.SortFunc(out, func(a, b *weir.Flow) int { return b.LastUpdated.Compare(a.LastUpdated) })
				return out[:min(1, n)], n, nil
			}
			s.listAll++
			return out, n, nil
		},
	}
}

func (s *flowStore) put(f *weir.Flow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, g := range s.flows {
		if g.ID == f.ID {
			s.flows[i] = f
			return
		}
	}
	s.flows = append(s.flows, f)
}

func (s *flowStore) counts() (byID, listAll, stamps int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID, s.listAll, s.stamps
}

func webhookFlow(id string, enabled bool, updated time.Time, hooks ...string) *weir.Flow {
	f := &weir.Flow{ID: id, ApplicationID: "a1", Name: id, Enabled: enabled, FlowClass: weir.FlowClassCloud, LastUpdated: updated}
	for _, h := range hooks {
		f.Triggers = append(f.Triggers, weir.Trigger{Key: h, Type: engine.TriggerWebhook})
	}
	return f
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func targetIDs(ts []engine.WebhookTarget) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.Flow.ID+"@"+t.Version)
	}
	return ids
}

func TestFlowCacheFlowIsReadOncePerTTL(t *testing.T) {
	st := &flowStore{flows: []*weir.Flow{webhookFlow("f1", true, time.UnixMilli(1))}}
	clk := &clock{t: time.UnixMilli(1000)}
	c := &engine.FlowCache{Flows: st.service(), Now: clk.now}
	ctx := context.Background()
	for range 3 {
		if _, err := c.Flow(ctx, "a1", "f1"); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, _ := st.counts(); n != 1 {
		t.Fatalf("3 lookups within the TTL read the store %d times, want 1", n)
	}
	clk.add(engine.DefaultCacheTTL)
	st.put(webhookFlow("f1", false, time.UnixMilli(2)))
	f, err := c.Flow(ctx, "a1", "f1")
	if err != nil {
		t.Fatal(err)
	}
	if f.Enabled {
		t.Fatal("a change by another writer is still unseen after the TTL")
	}
	st.put(webhookFlow("f1", true, time.UnixMilli(3)))
	c.Invalidate()
	if f, _ = c.Flow(ctx, "a1", "f1"); !f.Enabled {
		t.Fatal("Invalidate did not drop the cached flow")
	}
	if _, err := c.Flow(ctx, "a1", "missing"); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Fatalf("missing flow: %v, want NotFound", err)
	}
}

func TestFlowCacheDropsLoadsOverlappingInvalidate(t *testing.T) {
	st := &flowStore{flows: []*weir.Flow{webhookFlow("f1", true, time.UnixMilli(1))}}
	svc := st.service()
	var c *engine.FlowCache
	inner := svc.FindFlowByIDFn
	svc.FindFlowByIDFn = func(ctx context.Context, app, id string) (*weir.Flow, error) {
		f, err := inner(ctx, app, id)
		c.Invalidate() // a write commits while this read is in flight
		return f, err
	}
	c = &engine.FlowCache{Flows: svc}
	c.Flow(context.Background(), "a1", "f1")
	c.Flow(context.Background(), "a1", "f1")
	if n, _, _ := st.counts(); n != 2 {
		t.Fatalf("store read %d times, want 2: a read overlapping Invalidate was kept", n)
	}
}

func TestFlowCacheWebhookTargets(t *testing.T) {
	st := &flowStore{flows: []*weir.Flow{
		webhookFlow("f1", true, time.UnixMilli(1), "W1", "w2"),
		webhookFlow("off", false, time.UnixMilli(2), "w1"),
		webhookFlow("f2", true, time.UnixMilli(3), "w2"),
	}}
	clk := &clock{t: time.UnixMilli(1000)}
	c := &engine.FlowCache{Flows: st.service(), Now: clk.now}
	ctx := context.Background()
	get := func(hook string) []string {
		t.Helper()
		ts, err := c.WebhookTargets(ctx, "a1", hook)
		if err != nil {
			t.Fatal(err)
		}
		return targetIDs(ts)
	}
	if got := get("w1"); !slices.Equal(got, []string{"f1@develop"}) {
		t.Fatalf("w1 targets %v", got)
	}
	if got := get("W2"); !slices.Equal(got, []string{"f1@develop", "f2@develop"}) {
		t.Fatalf("w2 targets %v", got)
	}
	if _, all, stamps := st.counts(); all != 1 || stamps != 1 {
		t.Fatalf("2 requests: %d listings and %d stamps, want 1 and 1", all, stamps)
	}

	// Another process creates a flow: unseen within the TTL, seen after.
	st.put(webhookFlow("f3", true, time.UnixMilli(4), "w1"))
	if got := get("w1"); len(got) != 1 {
		t.Fatalf("within the TTL: %v", got)
	}
	clk.add(engine.DefaultCacheTTL)
	if got := get("w1"); !slices.Equal(got, []string{"f1@develop", "f3@develop"}) {
		t.Fatalf("after the TTL: w1 targets %v", got)
	}

	// Unchanged flows: one stamp check per TTL, no listing.
	_, all0, _ := st.counts()
	clk.add(engine.DefaultCacheTTL)
	get("w1")
	if _, all, _ := st.counts(); all != all0 {
		t.Fatal("unchanged flows were listed again")
	}

	// Another process disables f1 (an update: a later lastUpdated).
	st.put(webhookFlow("f1", false, time.UnixMilli(5), "w1", "w2"))
	clk.add(engine.DefaultCacheTTL)
	if got := get("w1"); !slices.Equal(got, []string{"f3@develop"}) {
		t.Fatalf("after another writer disabled f1: %v", got)
	}

	// This process changes a flow and invalidates: seen at once.
	st.put(webhookFlow("f2", true, time.UnixMilli(5), "w1"))
	c.Invalidate()
	if got := get("w1"); !slices.Equal(got, []string{"f2@develop", "f3@develop"}) {
		t.Fatalf("after Invalidate: %v", got)
	}
	if got := get("nope"); len(got) != 0 {
		t.Fatalf("unknown webhook: %v", got)
	}
}

func TestFlowCacheUsesDefaultVersion(t *testing.T) {
	vid := "v1"
	f := webhookFlow("f1", true, time.UnixMilli(1)) // develop has no trigger
	f.DefaultVersionID = &vid
	st := &flowStore{flows: []*weir.Flow{f}}
	enabled := true
	versions := &mock.FlowVersionService{
		FindFlowVersionFn: func(_ context.Context, _, _, id string) (*weir.FlowVersion, error) {
			if id != vid {
				return nil, weir.Errorf(weir.NotFound, "Flow version was not found")
			}
			return &weir.FlowVersion{ID: vid, Version: "one", Enabled: enabled,
				Definition: weir.Definition{Triggers: []weir.Trigger{{Key: "w1", Type: engine.TriggerWebhook}}}}, nil
		},
	}
	c := &engine.FlowCache{Flows: st.service(), Versions: versions, TTL: -1}
	ts, err := c.WebhookTargets(context.Background(), "a1", "w1")
	if err != nil || !slices.Equal(targetIDs(ts), []string{"f1@one"}) {
		t.Fatalf("targets %v, %v; want f1@one", targetIDs(ts), err)
	}
	enabled = false
	if ts, _ = c.WebhookTargets(context.Background(), "a1", "w1"); len(ts) != 0 {
		t.Fatalf("disabled default version still targeted: %v", targetIDs(ts))
	}
}

// BenchmarkWebhookTargets finds the flows a webhook request runs in an
// application of 1,000 flows, through the cache and by listing the flows
// (what every request did before the cache).
func BenchmarkWebhookTargets(b *testing.B) {
	st := &flowStore{}
	for i := range 1000 {
		st.flows = append(st.flows, webhookFlow(fmt.Sprintf("f%04d", i), true, time.UnixMilli(int64(i)), fmt.Sprintf("w%d", i%10)))
	}
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			c := &engine.FlowCache{Flows: st.service(), TTL: tc.ttl}
			b.ReportAllocs()
			for b.Loop() {
				ts, err := c.WebhookTargets(context.Background(), "a1", "w3")
				if err != nil || len(ts) != 100 {
					b.Fatalf("%d targets, %v", len(ts), err)
				}
			}
		})
	}
}

// TestFlowCacheRebuildsOldIndexInBackground changes a flow behind the
// cache's back without changing the stamp (same count, same last update):
// past IndexMaxAge the old index keeps answering while a rebuild runs, and
// the change shows once it is done.
func TestFlowCacheRebuildsOldIndexInBackground(t *testing.T) {
	st := &flowStore{flows: []*weir.Flow{webhookFlow("f1", true, time.UnixMilli(1), "w1")}}
	clk := &clock{t: time.UnixMilli(1000)}
	c := &engine.FlowCache{Flows: st.service(), Now: clk.now, IndexMaxAge: time.Minute}
	ctx := context.Background()
	get := func() []string {
		t.Helper()
		ts, err := c.WebhookTargets(ctx, "a1", "w1")
		if err != nil {
			t.Fatal(err)
		}
		return targetIDs(ts)
	}
	get()
	st.put(webhookFlow("f1", true, time.UnixMilli(1), "w2")) // same stamp
	clk.add(2 * time.Second)
	if got := get(); len(got) != 1 {
		t.Fatalf("within IndexMaxAge: %v, want the old index", got)
	}
	clk.add(time.Minute)
	if got := get(); len(got) != 1 {
		t.Fatalf("first request past IndexMaxAge: %v, want the old index while rebuilding", got)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		clk.add(2 * time.Second)
		if len(get()) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background rebuild never replaced the old index")
		}
	}
}

// TestFlowCacheIndexBuildOutlivesItsRequest checks that a trigger index
// build begun by a request whose context ends meanwhile still completes and
// serves the requests after it, instead of each starting over.
func TestFlowCacheIndexBuildOutlivesItsRequest(t *testing.T) {
	st := &flowStore{flows: []*weir.Flow{webhookFlow("f1", true, time.UnixMilli(1), "w1")}}
	svc := st.service()
	list := svc.FindFlowsFn
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	svc.FindFlowsFn = func(ctx context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
		if filter.PerPage != 1 { // the full listing of a build, not a stamp
			once.Do(func() { close(started); <-release })
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		return list(ctx, filter)
	}
	clk := &clock{t: time.UnixMilli(1000)}
	c := &engine.FlowCache{Flows: svc, Now: clk.now}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.WebhookTargets(ctx, "a1", "w1")
		first <- err
	}()
	<-started
	cancel() // the first client gives up while its build runs
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the request whose context ended: %v, want the index built", err)
	}
	_, before, _ := st.counts()
	ts, err := c.WebhookTargets(context.Background(), "a1", "w1")
	if err != nil || len(ts) != 1 {
		t.Fatalf("next request: %v, %v; want f1", targetIDs(ts), err)
	}
	if _, after, _ := st.counts(); after != before {
		t.Errorf("the next request listed the flows again (%d listings after the first build, want none)", after-before)
	}
}
