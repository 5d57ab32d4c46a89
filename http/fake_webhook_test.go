package http_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memWebhooks is an in-memory weir.WebhookService for HTTP tests; the
// SQLite store passes the same contract in store/storetest.
type memWebhooks struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*weir.Webhook
}

func newMemWebhooks(now func() time.Time) *memWebhooks {
	return &memWebhooks{now: now, m: map[string]*weir.Webhook{}}
}

func errWebhookNotFound() error { return weir.Errorf(weir.NotFound, "Webhook was not found") }

func (s *memWebhooks) FindWebhookByID(_ context.Context, appID, id string) (*weir.Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.m[id]
	if !ok || w.ApplicationID != appID {
		return nil, errWebhookNotFound()
	}
	c := *w
	return &c, nil
}

func (s *memWebhooks) FindWebhookByToken(_ context.Context, token string) (*weir.Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.m {
		if w.Token == token {
			c := *w
			return &c, nil
		}
	}
	return nil, errWebhookNotFound()
}

func (s *memWebhooks) FindWebhooks(_ context.Context, f weir.WebhookFilter) ([]*weir.Webhook, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*weir.Webhook
	for _, w := range s.m {
		if w.ApplicationID == f.ApplicationID && matches(w.Name, f.ListOptions) {
			c := *w
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *weir.Webhook) int { return strings.Compare(a.Name, b.Name) })
	if f.SortDirection == "desc" {
		slices.Reverse(out)
	}
	return page(out, f.ListOptions), len(out), nil
}

func (s *memWebhooks) CreateWebhook(_ context.Context, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ID == "" {
		w.ID = weir.NewID()
	}
	if w.Token == "" {
		w.Token = weir.NewWebhookToken()
	}
	w.CreationDate, w.LastUpdated = s.now(), s.now()
	c := *w
	s.m[w.ID] = &c
	return nil
}

func (s *memWebhooks) UpdateWebhook(_ context.Context, w *weir.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.m[w.ID]
	if !ok || old.ApplicationID != w.ApplicationID {
		return errWebhookNotFound()
	}
	w.Token, w.CreationDate, w.LastUpdated = old.Token, old.CreationDate, s.now()
	c := *w
	s.m[w.ID] = &c
	return nil
}

func (s *memWebhooks) DeleteWebhook(_ context.Context, appID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.m[id]; !ok || w.ApplicationID != appID {
		return errWebhookNotFound()
	}
	delete(s.m, id)
	return nil
}

var _ weir.WebhookService = (*memWebhooks)(nil)
