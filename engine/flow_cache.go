package engine

import (
	"context"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// Staleness bounds of a FlowCache.
const (
	// DefaultCacheTTL is how long a FlowCache answers from memory before it
	// checks the store again: the longest a change made by another process
	// sharing the store (weir flow import, another weir on the same
	// PostgreSQL) goes unseen.
	DefaultCacheTTL = time.Second
	// DefaultIndexMaxAge is how long a trigger index is kept while the
	// application's flows look unchanged (same count, same most recently
	// updated flow) before it is rebuilt in the background: with the
	// rebuild's duration, the bound for changes by another process that do
	// not touch a flow row, such as disabling a flow version.
	DefaultIndexMaxAge = 30 * time.Second
)

// maxCacheEntries bounds each of a FlowCache's maps; a full map is emptied.
const maxCacheEntries = 100_000

// FlowCache keeps in memory what every webhook request and every run reads
// from the store: webhooks by token, the flows each webhook triggers, and
// the flow and application rows of runs. Changes made through this process
// call Invalidate and are seen at once; changes made by another process
// are seen within TTL (and IndexMaxAge for a trigger index, see
// DefaultIndexMaxAge). Cached values are shared and must not be modified.
// The zero value is not usable: set the services.
type FlowCache struct {
	Flows        weir.FlowService
	Versions     weir.FlowVersionService // nil: flows have only develop
	Applications weir.ApplicationService
	Webhooks     weir.WebhookService
	TTL          time.Duration // 0: DefaultCacheTTL; negative: nothing is cached
	IndexMaxAge  time.Duration // 0: DefaultIndexMaxAge
	Now          func() time.Time
	// OnInvalidate, when set, is called after each Invalidate (a change
	// made through this process), so that components that follow flows,
	// such as MQTT topic triggers, look again. It must not block.
	OnInvalidate func()

	mu      sync.Mutex
	gen     uint64 // bumped by Invalidate; loads begun before it are not kept
	flows   map[string]cached[*weir.Flow]
	apps    map[string]cached[*weir.Application]
	hooks   map[string]cached[*weir.Webhook]
	indexes map[string]*triggerIndex
}

// cached is one cached value and when it was read.
type cached[T any] struct {
	v   T
	gen uint64
	at  time.Time
}

// TriggerWebhook is the trigger type of webhook runs.
const TriggerWebhook = "webhook"

// WebhookTarget is a flow a webhook request runs, at the version it runs.
type WebhookTarget struct {
	Flow    *weir.Flow
	Version string // the version's name (weir.DevelopVersion for develop)
}

// triggerIndex is the cached TriggerIndex of one application.
type triggerIndex struct {
	mu         sync.Mutex // held while checking, or rebuilding after a change
	gen        uint64
	checked    time.Time // when stamp was last confirmed
	built      time.Time
	stamp      FlowsStamp
	index      *TriggerIndex // nil until built
	rebuilding bool          // a rebuild for age runs in the background
}

// FlowsStamp summarises a set of flows cheaply: it changes when one of them
// is created, updated or deleted (unless an update keeps the most recently
// updated flow's millisecond).
type FlowsStamp struct {
	Count  int
	LastID string
	Last   time.Time
}

// ReadFlowsStamp reads the stamp of the flows filter matches (its list
// options are replaced): their count and most recently updated flow, with
// one page of one flow.
func ReadFlowsStamp(ctx context.Context, flows weir.FlowService, filter weir.FlowFilter) (FlowsStamp, error) {
	filter.ListOptions = weir.ListOptions{PerPage: 1, SortField: "lastUpdated", SortDirection: "desc"}
	fs, n, err := flows.FindFlows(ctx, filter)
	if err != nil {
		return FlowsStamp{}, err
	}
	s := FlowsStamp{Count: n}
	if len(fs) > 0 {
		s.LastID, s.Last = fs[0].ID, fs[0].LastUpdated
	}
	return s, nil
}

// Invalidate drops everything cached, then calls OnInvalidate; the next
// reads go to the store.
func (c *FlowCache) Invalidate() {
	c.Drop()
	if c.OnInvalidate != nil {
		c.OnInvalidate()
	}
}

// Drop drops everything cached without calling OnInvalidate: for changes
// another process announced.
func (c *FlowCache) Drop() {
	c.mu.Lock()
	c.gen++
	c.flows, c.apps, c.hooks, c.indexes = nil, nil, nil, nil
	c.mu.Unlock()
}

func (c *FlowCache) ttl() time.Duration {
	if c.TTL == 0 {
		return DefaultCacheTTL
	}
	return c.TTL
}

func (c *FlowCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// lookup returns (*m)[key] when it is fresh, else the generation a load
// must carry to be stored. m points at one of c's maps, read under c.mu
// since Invalidate replaces them.
func lookup[T any](c *FlowCache, m *map[string]cached[T], key string) (T, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := (*m)[key]
	if ok && e.gen == c.gen && c.now().Sub(e.at) < c.ttl() {
		return e.v, true, c.gen
	}
	var zero T
	return zero, false, c.gen
}

// keep stores v under key in *m unless the cache was invalidated since gen.
func keep[T any](c *FlowCache, m *map[string]cached[T], key string, v T, gen uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.ttl() < 0 {
		return
	}
	if *m == nil || len(*m) >= maxCacheEntries {
		*m = map[string]cached[T]{}
	}
	(*m)[key] = cached[T]{v: v, gen: gen, at: at}
}

// Flow returns the flow as FindFlowByID does; its stats may be stale.
func (c *FlowCache) Flow(ctx context.Context, applicationID, flowID string) (*weir.Flow, error) {
	key := applicationID + "/" + flowID
	f, ok, gen := lookup(c, &c.flows, key)
	if ok {
		return f, nil
	}
	at := c.now()
	f, err := c.Flows.FindFlowByID(ctx, applicationID, flowID)
	if err != nil {
		return nil, err
	}
	keep(c, &c.flows, key, f, gen, at)
	return f, nil
}

// Application returns the application as FindApplicationByID does.
func (c *FlowCache) Application(ctx context.Context, id string) (*weir.Application, error) {
	a, ok, gen := lookup(c, &c.apps, id)
	if ok {
		return a, nil
	}
	at := c.now()
	a, err := c.Applications.FindApplicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	keep(c, &c.apps, id, a, gen, at)
	return a, nil
}

// Webhook returns the webhook as FindWebhookByToken does.
func (c *FlowCache) Webhook(ctx context.Context, token string) (*weir.Webhook, error) {
	w, ok, gen := lookup(c, &c.hooks, token)
	if ok {
		return w, nil
	}
	at := c.now()
	w, err := c.Webhooks.FindWebhookByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	keep(c, &c.hooks, token, w, gen, at)
	return w, nil
}

// WebhookTargets returns the enabled cloud flows of the application whose
// default version is enabled and has a webhook trigger keyed by
// webhookID, in the order FindFlows lists them, with that version's name.
func (c *FlowCache) WebhookTargets(ctx context.Context, applicationID, webhookID string) ([]WebhookTarget, error) {
	ix, err := c.TriggerIndex(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	return ix.Webhooks(webhookID), nil
}

// TriggerIndex returns the index of the triggers of the application's
// enabled cloud flows at their default versions. Changes made through this
// process are seen by the next call; changes by another process within TTL
// when they touch a flow row (at once in a cluster, whose processes relay
// their invalidations), else within IndexMaxAge.
func (c *FlowCache) TriggerIndex(ctx context.Context, applicationID string) (*TriggerIndex, error) {
	if c.ttl() < 0 {
		return BuildTriggerIndex(ctx, c.Flows, c.Versions, applicationID)
	}
	ix := c.index(applicationID)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := c.refresh(ctx, applicationID, ix); err != nil {
		return nil, err
	}
	return ix.index, nil
}

// index returns the application's trigger index, creating an empty one.
func (c *FlowCache) index(applicationID string) *triggerIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	ix := c.indexes[applicationID]
	if ix == nil || ix.gen != c.gen {
		if c.indexes == nil || len(c.indexes) >= maxCacheEntries {
			c.indexes = map[string]*triggerIndex{}
		}
		ix = &triggerIndex{gen: c.gen}
		c.indexes[applicationID] = ix
	}
	return ix
}

// refresh brings ix up to date: as is within TTL of the last check; after
// a stamp check, as is when the flows look unchanged, rebuilt when they
// changed. An index older than IndexMaxAge whose flows look unchanged is
// rebuilt in the background while requests go on using it, since listing
// thousands of flows takes a while. ix.mu is held.
func (c *FlowCache) refresh(ctx context.Context, applicationID string, ix *triggerIndex) error {
	now := c.now()
	if ix.index != nil && now.Sub(ix.checked) < c.ttl() {
		return nil
	}
	maxAge := c.IndexMaxAge
	if maxAge <= 0 {
		maxAge = DefaultIndexMaxAge
	}
	stamp, err := c.stamp(ctx, applicationID)
	if err != nil {
		return err
	}
	if ix.index != nil && stamp == ix.stamp {
		ix.checked = now
		if now.Sub(ix.built) >= maxAge && !ix.rebuilding {
			ix.rebuilding = true
			go c.rebuild(applicationID, ix, stamp, now)
		}
		return nil
	}
	// The build outlives the request that began it: the requests queued
	// behind ix.mu use it. Tied to that request, a build of thousands of
	// flows on a loaded machine outlasted the clients' patience; each
	// cancelled one threw the work away and the next waiter began again, so
	// no request got through.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	index, err := BuildTriggerIndex(bctx, c.Flows, c.Versions, applicationID)
	if err != nil {
		return err
	}
	ix.index, ix.stamp, ix.checked, ix.built = index, stamp, now, now
	return nil
}

// rebuild lists the application's flows again for ix, begun at now when
// its flows had stamp, and swaps the result in unless a rebuild after a
// change came first.
func (c *FlowCache) rebuild(applicationID string, ix *triggerIndex, stamp FlowsStamp, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	index, err := BuildTriggerIndex(ctx, c.Flows, c.Versions, applicationID)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.rebuilding = false
	if err == nil && ix.stamp == stamp && ix.built.Before(now) {
		ix.index, ix.built = index, now
	}
}

// stamp reads the stamp of the application's flows of every class: the
// index holds the deviceCommand triggers of edge and embedded flows too.
func (c *FlowCache) stamp(ctx context.Context, applicationID string) (FlowsStamp, error) {
	return ReadFlowsStamp(ctx, c.Flows, weir.FlowFilter{ApplicationID: applicationID})
}

// WebhookTargets reads every enabled cloud flow of the application and
// returns, by lower-cased webhook id, the flows whose version named (""
// for the default) is enabled and has a webhook trigger for that webhook.
func WebhookTargets(ctx context.Context, flows weir.FlowService, versions weir.FlowVersionService, applicationID, named string) (map[string][]WebhookTarget, error) {
	ts, err := scanTriggers(ctx, flows, versions, applicationID, named, weir.FlowClassCloud)
	if err != nil {
		return nil, err
	}
	return webhookTargets(ts), nil
}
