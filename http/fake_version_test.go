package http_test

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/weirhq/weir"
)

// Flow versions of memStore.

func cloneVersion(v *weir.FlowVersion) *weir.FlowVersion {
	b, _ := json.Marshal(v)
	var c weir.FlowVersion
	_ = json.Unmarshal(b, &c)
	return &c
}

// version returns the stored version of the flow whose id, else name, is
// idOrName; m.mu is held.
func (m *memStore) version(appID, flowID, idOrName string) (*weir.FlowVersion, error) {
	var byName *weir.FlowVersion
	for _, v := range m.vers {
		if v.FlowID != flowID || v.ApplicationID != appID {
			continue
		}
		if strings.EqualFold(v.ID, idOrName) {
			return v, nil
		}
		if v.Version == idOrName {
			byName = v
		}
	}
	if byName == nil {
		return nil, weir.Errorf(weir.NotFound, "Flow version was not found")
	}
	return byName, nil
}

// withStats returns a copy of v with its flow's stats for its name.
func (m *memStore) withStats(v *weir.FlowVersion) *weir.FlowVersion {
	c := cloneVersion(v)
	if f, ok := m.flows[v.FlowID]; ok {
		c.Stats = f.Stats.ByVersion[v.Version]
	}
	return c
}

func (m *memStore) FindFlowVersion(_ context.Context, appID, flowID, idOrName string) (*weir.FlowVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.version(appID, flowID, idOrName)
	if err != nil {
		return nil, err
	}
	return m.withStats(v), nil
}

func (m *memStore) FindFlowVersions(_ context.Context, filter weir.FlowVersionFilter) ([]*weir.FlowVersion, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch filter.SortField {
	case "", "version", "id", "creationDate", "lastUpdated":
	default:
		return nil, 0, weir.Errorf(weir.Validation, "sortField must be one of version, id, creationDate, lastUpdated")
	}
	var out []*weir.FlowVersion
	for _, v := range m.vers {
		if v.FlowID == filter.FlowID && v.ApplicationID == filter.ApplicationID && matches(v.Version, filter.ListOptions) {
			out = append(out, m.withStats(v))
		}
	}
	slices.SortFunc(out, func(a, b *weir.FlowVersion) int {
		var c int
		switch filter.SortField {
		case "id":
		case "creationDate":
			c = a.CreationDate.Compare(b.CreationDate)
		case "lastUpdated":
			c = a.LastUpdated.Compare(b.LastUpdated)
		default:
			c = cmp.Compare(strings.ToLower(a.Version), strings.ToLower(b.Version))
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if filter.SortDirection == "desc" {
			c = -c
		}
		return c
	})
	return page(out, filter.ListOptions), len(out), nil
}

func (m *memStore) CreateFlowVersion(_ context.Context, v *weir.FlowVersion, allowReplacement bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := weir.ValidateVersionName(v.Version); err != nil {
		return err
	}
	f, ok := m.flows[v.FlowID]
	if !ok || f.ApplicationID != v.ApplicationID {
		return weir.Errorf(weir.NotFound, "Flow was not found")
	}
	v.FlowClass = f.FlowClass
	v.LastUpdated = m.now()
	for _, old := range m.vers {
		if old.FlowID != v.FlowID || old.Version != v.Version {
			continue
		}
		if !allowReplacement {
			return weir.Errorf(weir.Validation, "Flow version %s already exists", v.Version)
		}
		v.ID, v.CreationDate, v.CreatedByID, v.CreatedByType = old.ID, old.CreationDate, old.CreatedByID, old.CreatedByType
	}
	if v.ID == "" {
		v.ID, v.CreationDate = weir.NewID(), m.now()
	}
	v.Stats = f.Stats.ByVersion[v.Version]
	m.vers[v.ID] = cloneVersion(v)
	return nil
}

func (m *memStore) UpdateFlowVersion(_ context.Context, appID, flowID, idOrName string, upd weir.FlowVersionUpdate) (*weir.FlowVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := m.version(appID, flowID, idOrName)
	if err != nil {
		return nil, err
	}
	if upd.Notes != nil {
		v.Notes = *upd.Notes
	}
	if upd.Enabled != nil {
		v.Enabled = *upd.Enabled
	}
	v.LastUpdated, v.LastUpdatedByID, v.LastUpdatedByType = m.now(), upd.LastUpdatedByID, upd.LastUpdatedByType
	return m.withStats(v), nil
}

func (m *memStore) DeleteFlowVersion(_ context.Context, appID, flowID, idOrName string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if idOrName == weir.DevelopVersion {
		return weir.Errorf(weir.Validation, "The develop version cannot be deleted")
	}
	v, err := m.version(appID, flowID, idOrName)
	if err != nil {
		return err
	}
	if f := m.flows[flowID]; f.DefaultVersionID != nil && *f.DefaultVersionID == v.ID {
		return weir.Errorf(weir.Validation, "The default version of a flow cannot be deleted")
	}
	delete(m.vers, v.ID)
	return nil
}
