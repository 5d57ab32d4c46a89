package http_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memStore is a small in-memory implementation of every service the HTTP
// server uses. It deep-copies on the way in and out, like a real store.
type memStore struct {
	mu      sync.Mutex
	now     func() time.Time
	apps    map[string]*weir.Application
	flows   map[string]*weir.Flow
	vers    map[string]*weir.FlowVersion
	tokens  map[string]*weir.Token
	storage map[string]map[string]json.RawMessage
	logs    map[string][]*weir.LogEntry
	runs    []*weir.Run
}

func newMemStore(now func() time.Time) *memStore {
	return &memStore{
		now:     now,
		apps:    map[string]*weir.Application{},
		flows:   map[string]*weir.Flow{},
		vers:    map[string]*weir.FlowVersion{},
		tokens:  map[string]*weir.Token{},
		storage: map[string]map[string]json.RawMessage{},
		logs:    map[string][]*weir.LogEntry{},
	}
}

// clone deep-copies v through JSON, keeping fields JSON hides.
func cloneFlow(f *weir.Flow) *weir.Flow {
	b, _ := json.Marshal(f)
	var c weir.Flow
	_ = json.Unmarshal(b, &c)
	return &c
}

func cloneApp(a *weir.Application) *weir.Application {
	c := *a
	c.Globals = slices.Clone(a.Globals)
	return &c
}

func cloneToken(t *weir.Token) *weir.Token {
	c := *t
	c.Scope = slices.Clone(t.Scope)
	return &c
}

func page[T any](items []T, o weir.ListOptions) []T {
	per := o.PerPage
	if per <= 0 { // every item, as the stores do
		return items
	}
	start := o.Page * per
	if start >= len(items) {
		return nil
	}
	return items[start:min(start+per, len(items))]
}

func matches(name string, o weir.ListOptions) bool {
	if o.Filter == "" {
		return true
	}
	parts := strings.Split(strings.ToLower(o.Filter), "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, ".*")).MatchString(strings.ToLower(name))
}

// Applications

func (m *memStore) FindApplicationByID(_ context.Context, id string) (*weir.Application, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[id]
	if !ok {
		return nil, weir.Errorf(weir.NotFound, "Application was not found")
	}
	return cloneApp(a), nil
}

func (m *memStore) FindApplications(_ context.Context, ownerID string, o weir.ListOptions) ([]*weir.Application, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.Application
	for _, a := range m.apps {
		if (ownerID == "" || a.OwnerID == ownerID) && matches(a.Name, o) {
			out = append(out, cloneApp(a))
		}
	}
	slices.SortFunc(out, func(a, b *weir.Application) int { return strings.Compare(a.Name, b.Name) })
	return page(out, o), len(out), nil
}

func (m *memStore) FindApplicationBySlug(_ context.Context, slug string) (*weir.Application, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if slug != "" && a.EndpointSlug == slug {
			return cloneApp(a), nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Application was not found")
}

// slugTaken reports whether an application other than a has a's slug.
func (m *memStore) slugTaken(a *weir.Application) bool {
	for _, o := range m.apps {
		if a.EndpointSlug != "" && o.EndpointSlug == a.EndpointSlug && o.ID != a.ID {
			return true
		}
	}
	return false
}

func (m *memStore) CreateApplication(_ context.Context, a *weir.Application) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.slugTaken(a) {
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	}
	if a.ID == "" {
		a.ID = weir.NewID()
	}
	a.CreationDate, a.LastUpdated = m.now(), m.now()
	m.apps[a.ID] = cloneApp(a)
	return nil
}

func (m *memStore) UpdateApplication(_ context.Context, a *weir.Application) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[a.ID]; !ok {
		return weir.Errorf(weir.NotFound, "Application was not found")
	}
	if m.slugTaken(a) {
		return weir.ErrEndpointSlugTaken(a.EndpointSlug)
	}
	a.LastUpdated = m.now()
	m.apps[a.ID] = cloneApp(a)
	return nil
}

func (m *memStore) DeleteApplication(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[id]; !ok {
		return weir.Errorf(weir.NotFound, "Application was not found")
	}
	delete(m.apps, id)
	for fid, f := range m.flows {
		if f.ApplicationID == id {
			m.deleteFlow(fid)
		}
	}
	for tid, t := range m.tokens {
		if t.OwnerType == weir.OwnerApplication && t.OwnerID == id {
			delete(m.tokens, tid)
		}
	}
	return nil
}

// Flows

func (m *memStore) FindFlowByID(_ context.Context, appID, flowID string) (*weir.Flow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.flows[flowID]
	if !ok || f.ApplicationID != appID {
		return nil, weir.Errorf(weir.NotFound, "Flow was not found")
	}
	return cloneFlow(f), nil
}

func (m *memStore) FindFlows(_ context.Context, filter weir.FlowFilter) ([]*weir.Flow, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.Flow
	for _, f := range m.flows {
		if f.ApplicationID == filter.ApplicationID && (filter.FlowClass == "" || f.FlowClass == filter.FlowClass) && matches(f.Name, filter.ListOptions) {
			out = append(out, cloneFlow(f))
		}
	}
	slices.SortFunc(out, func(a, b *weir.Flow) int { return strings.Compare(a.Name, b.Name) })
	return page(out, filter.ListOptions), len(out), nil
}

func (m *memStore) CreateFlow(_ context.Context, f *weir.Flow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[f.ApplicationID]; !ok {
		return weir.Errorf(weir.NotFound, "Application was not found")
	}
	if f.ID == "" {
		f.ID = weir.NewID()
	}
	f.CreationDate, f.LastUpdated = m.now(), m.now()
	m.flows[f.ID] = cloneFlow(f)
	return nil
}

func (m *memStore) UpdateFlow(_ context.Context, f *weir.Flow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.flows[f.ID]
	if !ok {
		return weir.Errorf(weir.NotFound, "Flow was not found")
	}
	f.LastUpdated = m.now()
	c := cloneFlow(f)
	c.Stats = old.Stats
	m.flows[f.ID] = c
	return nil
}

func (m *memStore) DeleteFlow(_ context.Context, appID, flowID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.flows[flowID]
	if !ok || f.ApplicationID != appID {
		return weir.Errorf(weir.NotFound, "Flow was not found")
	}
	m.deleteFlow(flowID)
	return nil
}

// deleteFlow removes a flow with its versions, storage and logs.
func (m *memStore) deleteFlow(flowID string) {
	delete(m.flows, flowID)
	delete(m.storage, flowID)
	delete(m.logs, flowID)
	for id, v := range m.vers {
		if v.FlowID == flowID {
			delete(m.vers, id)
		}
	}
}

// Tokens

func (m *memStore) FindTokenByID(_ context.Context, id string) (*weir.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[id]
	if !ok {
		return nil, weir.Errorf(weir.NotFound, "API token was not found")
	}
	return cloneToken(t), nil
}

func (m *memStore) FindTokens(_ context.Context, filter weir.TokenFilter) ([]*weir.Token, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.Token
	for _, t := range m.tokens {
		if t.OwnerID == filter.OwnerID && t.OwnerType == filter.OwnerType && matches(t.Name, filter.ListOptions) {
			out = append(out, cloneToken(t))
		}
	}
	slices.SortFunc(out, func(a, b *weir.Token) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
	return page(out, filter.ListOptions), len(out), nil
}

func (m *memStore) CreateToken(_ context.Context, t *weir.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.ID == "" {
		t.ID = weir.NewID()
	}
	t.CreationDate, t.LastUpdated = m.now(), m.now()
	m.tokens[t.ID] = cloneToken(t)
	return nil
}

func (m *memStore) UpdateToken(_ context.Context, t *weir.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tokens[t.ID]; !ok {
		return weir.Errorf(weir.NotFound, "API token was not found")
	}
	t.LastUpdated = m.now()
	m.tokens[t.ID] = cloneToken(t)
	return nil
}

func (m *memStore) DeleteToken(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tokens[id]; !ok {
		return weir.Errorf(weir.NotFound, "API token was not found")
	}
	delete(m.tokens, id)
	return nil
}

// Storage

func (m *memStore) StorageEntries(_ context.Context, flowID string) (map[string]json.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]json.RawMessage{}
	for k, v := range m.storage[flowID] {
		out[k] = slices.Clone(v)
	}
	return out, nil
}

func (m *memStore) StorageEntry(_ context.Context, flowID, key string) (json.RawMessage, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.storage[flowID][key]
	return slices.Clone(v), ok, nil
}

func (m *memStore) SetStorageEntry(_ context.Context, flowID, key string, value json.RawMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.storage[flowID] == nil {
		m.storage[flowID] = map[string]json.RawMessage{}
	}
	m.storage[flowID][key] = slices.Clone(value)
	return nil
}

func (m *memStore) DeleteStorageEntry(_ context.Context, flowID, key string) (json.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.storage[flowID][key]
	delete(m.storage[flowID], key)
	return v, nil
}

func (m *memStore) IncrStorageEntry(context.Context, string, string, float64) (float64, error) {
	panic("not used by the HTTP API")
}

func (m *memStore) ClearStorageEntries(_ context.Context, flowID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.storage, flowID)
	return nil
}

func (m *memStore) StorageMetadata(_ context.Context, flowID string) (weir.StorageMetadata, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	md := weir.StorageMetadata{KeysCount: len(m.storage[flowID])}
	for k, v := range m.storage[flowID] {
		md.MemoryUsed += len(k) + len(v)
	}
	return md, nil
}

// Logs

func (m *memStore) FindLogEntries(_ context.Context, flowID string, filter weir.LogFilter) ([]*weir.LogEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.LogEntry
	for _, e := range m.logs[flowID] { // stored newest first
		if !filter.Since.IsZero() && e.Time.Before(filter.Since) {
			continue
		}
		if filter.FlowVersionID != "" && e.FlowVersionID != filter.FlowVersionID {
			continue
		}
		if filter.RunID != "" && e.ID != filter.RunID {
			continue
		}
		if filter.Limit > 0 && len(out) == filter.Limit {
			break
		}
		c := *e
		if !filter.WithPayload {
			c.Payload = c.Payload.Note()
		}
		out = append(out, &c)
	}
	return out, nil
}

// Runs

func (m *memStore) EnqueueRun(_ context.Context, run *weir.Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *run
	m.runs = append(m.runs, &c)
	return nil
}

func (m *memStore) ClaimRuns(context.Context, int) ([]*weir.Run, error) {
	panic("not used by the HTTP API")
}

func (m *memStore) CompleteRun(context.Context, *weir.Run, *weir.LogEntry) error {
	panic("not used by the HTTP API")
}

func (m *memStore) queued() []*weir.Run {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.runs)
}

var (
	_ weir.ApplicationService = (*memStore)(nil)
	_ weir.FlowService        = (*memStore)(nil)
	_ weir.FlowVersionService = (*memStore)(nil)
	_ weir.TokenService       = (*memStore)(nil)
	_ weir.StorageService     = (*memStore)(nil)
	_ weir.LogService         = (*memStore)(nil)
	_ weir.RunQueue           = (*memStore)(nil)
)
