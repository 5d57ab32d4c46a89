package http_test

import (
	"context"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memKept keeps dashboards, notebooks and resource jobs in memory.
type memKept struct {
	mu   sync.Mutex
	now  func() time.Time
	kept []*weir.KeptResource
}

func (m *memKept) CreateKeptResource(_ context.Context, k *weir.KeptResource) error {
	if err := k.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k.ID, k.CreationDate, k.LastUpdated = weir.NewID(), m.now(), m.now()
	c := *k
	m.kept = append(m.kept, &c)
	return nil
}

func (m *memKept) FindKeptResources(_ context.Context, appID, kind string) ([]*weir.KeptResource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.KeptResource
	for _, k := range m.kept {
		if k.ApplicationID == appID && k.Kind == kind {
			c := *k
			out = append(out, &c)
		}
	}
	return out, nil
}
