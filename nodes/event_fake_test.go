package nodes_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// goldenEvents holds a golden case's events: the in-memory store, the
// changes the Event triggers heard of, and the creation limit.
type goldenEvents struct {
	store   *mock.Events
	mu      sync.Mutex
	changed int
	left    int // creations the limit still allows; -1: no limit
}

func newGoldenEvents(t *testing.T, in input, now func() time.Time) *goldenEvents {
	t.Helper()
	names := map[string]string{}
	for _, d := range in.Devices {
		names[d.ID] = d.Name
	}
	n := 0
	g := &goldenEvents{store: &mock.Events{Devices: names, Now: now, NewID: func() string {
		n++
		return fmt.Sprintf("%024x", n)
	}}, left: -1}
	seeds := make([]*weir.Event, 0, len(in.Events))
	for _, e := range in.Events {
		e.ApplicationID = "app"
		if e.State == "" {
			e.State = weir.EventNew
		}
		if e.EventTags == nil {
			e.EventTags = map[string]string{}
		}
		if e.Updates == nil {
			e.Updates = []weir.EventUpdate{}
		}
		seeds = append(seeds, e)
	}
	g.store.Restore(seeds)
	return g
}

func (g *goldenEvents) access(limit int) *engine.Events {
	x := &engine.Events{Events: g.store, Handler: g}
	if limit > 0 {
		g.left = limit
		x.Limiter = g
	}
	return x
}

// EventsChanged counts what the Event triggers would hear of.
func (g *goldenEvents) EventsChanged(_ context.Context, _, es []*weir.Event) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changed += len(es)
	return nil
}

// Allow lets the first creations through, then refuses for a second.
func (g *goldenEvents) Allow(string) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.left == 0 {
		return false, time.Second
	}
	g.left--
	return true, 0
}

func (g *goldenEvents) outcome() ([]string, int) {
	var lines []string
	for _, e := range g.store.Snapshot() {
		lines = append(lines, fmt.Sprintf("%s %s %s %s", e.ID, e.Level, e.State, e.Subject))
	}
	return lines, g.changed
}
