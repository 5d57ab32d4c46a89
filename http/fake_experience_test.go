package http_test

import (
	"context"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/weirhq/weir"
)

// memExperience is an in-memory experience user and group store for the
// HTTP tests: enough behaviour to serve every route, none of the SQL
// stores' (store/storetest judges those). Membership is kept on the users.
type memExperience struct {
	mu     sync.Mutex
	now    func() time.Time
	Users  map[string]weir.ExperienceUser
	Groups map[string]weir.ExperienceGroup
}

func newMemExperience(now func() time.Time) *memExperience {
	return &memExperience{now: now, Users: map[string]weir.ExperienceUser{}, Groups: map[string]weir.ExperienceGroup{}}
}

// clone returns a deep enough copy for snapshots.
func (m *memExperience) clone() *memExperience {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := newMemExperience(nil)
	for k, u := range m.Users {
		u.GroupIDs, u.UserTags = slices.Clone(u.GroupIDs), maps.Clone(u.UserTags)
		c.Users[k] = u
	}
	for k, g := range m.Groups {
		g.DeviceIDs, g.DeviceTags, g.GroupTags = slices.Clone(g.DeviceIDs), slices.Clone(g.DeviceTags), maps.Clone(g.GroupTags)
		c.Groups[k] = g
	}
	return c
}

func (m *memExperience) user(u weir.ExperienceUser) *weir.ExperienceUser {
	u.GroupIDs = slices.Clone(u.GroupIDs)
	return &u
}

func (m *memExperience) group(g weir.ExperienceGroup) *weir.ExperienceGroup {
	g.UserIDs = []string{}
	for _, u := range m.Users {
		if slices.Contains(u.GroupIDs, g.ID) {
			g.UserIDs = append(g.UserIDs, u.ID)
		}
	}
	sort.Strings(g.UserIDs)
	return &g
}

func (m *memExperience) FindExperienceUserByID(_ context.Context, appID, id string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.Users[id]; ok && u.ApplicationID == appID {
		return m.user(u), nil
	}
	return nil, weir.Errorf(weir.NotFound, "Experience user was not found")
}

func (m *memExperience) FindExperienceUserByEmail(_ context.Context, appID, email string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.Users {
		if u.ApplicationID == appID && u.Email == weir.NormalizeEmail(email) {
			return m.user(u), nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience user was not found")
}

func (m *memExperience) FindExperienceUsers(_ context.Context, f weir.ExperienceUserFilter) ([]*weir.ExperienceUser, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []*weir.ExperienceUser{}
	for _, u := range m.Users {
		if u.ApplicationID == f.ApplicationID && (f.GroupID == "" || slices.Contains(u.GroupIDs, f.GroupID)) {
			out = append(out, m.user(u))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, len(out), nil
}

func (m *memExperience) checkUser(u *weir.ExperienceUser) error {
	u.Email = weir.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	for _, o := range m.Users {
		if o.ApplicationID == u.ApplicationID && o.Email == u.Email && o.ID != u.ID {
			return weir.Errorf(weir.Validation, "Email %s is already taken", u.Email)
		}
	}
	for _, g := range u.GroupIDs {
		if eg, ok := m.Groups[g]; !ok || eg.ApplicationID != u.ApplicationID {
			return weir.Errorf(weir.Validation, "Experience group was not found")
		}
	}
	return nil
}

func (m *memExperience) CreateExperienceUser(_ context.Context, u *weir.ExperienceUser) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkUser(u); err != nil {
		return err
	}
	u.ID, u.CreationDate, u.LastUpdated = weir.NewID(), m.now(), m.now()
	m.Users[u.ID] = *m.user(*u)
	return nil
}

func (m *memExperience) UpdateExperienceUser(_ context.Context, u *weir.ExperienceUser) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.Users[u.ID]; !ok || old.ApplicationID != u.ApplicationID {
		return weir.Errorf(weir.NotFound, "Experience user was not found")
	}
	if err := m.checkUser(u); err != nil {
		return err
	}
	u.LastUpdated = m.now()
	m.Users[u.ID] = *m.user(*u)
	return nil
}

func (m *memExperience) DeleteExperienceUser(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.Users[id]; !ok || u.ApplicationID != appID {
		return weir.Errorf(weir.NotFound, "Experience user was not found")
	}
	delete(m.Users, id)
	return nil
}

func (m *memExperience) FindExperienceGroupByID(_ context.Context, appID, id string) (*weir.ExperienceGroup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g, ok := m.Groups[id]; ok && g.ApplicationID == appID {
		return m.group(g), nil
	}
	return nil, weir.Errorf(weir.NotFound, "Experience group was not found")
}

func (m *memExperience) FindExperienceGroups(_ context.Context, f weir.ExperienceGroupFilter) ([]*weir.ExperienceGroup, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []*weir.ExperienceGroup{}
	for _, g := range m.Groups {
		if g.ApplicationID == f.ApplicationID {
			out = append(out, m.group(g))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, len(out), nil
}

func (m *memExperience) putGroup(g *weir.ExperienceGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if p, ok := m.Groups[g.ParentID]; g.ParentID != "" && (!ok || p.ApplicationID != g.ApplicationID) {
		return weir.Errorf(weir.Validation, "Parent experience group was not found")
	}
	for _, id := range g.UserIDs {
		if u, ok := m.Users[id]; !ok || u.ApplicationID != g.ApplicationID {
			return weir.Errorf(weir.Validation, "Experience user was not found")
		}
	}
	for id, u := range m.Users {
		in := slices.Contains(g.UserIDs, id)
		u.GroupIDs = slices.DeleteFunc(slices.Clone(u.GroupIDs), func(x string) bool { return x == g.ID })
		if in {
			u.GroupIDs = append(u.GroupIDs, g.ID)
			sort.Strings(u.GroupIDs)
		}
		m.Users[id] = u
	}
	stored := *g
	stored.UserIDs = nil
	m.Groups[g.ID] = stored
	return nil
}

func (m *memExperience) CreateExperienceGroup(_ context.Context, g *weir.ExperienceGroup) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	g.ID, g.CreationDate, g.LastUpdated = weir.NewID(), m.now(), m.now()
	return m.putGroup(g)
}

func (m *memExperience) UpdateExperienceGroup(_ context.Context, g *weir.ExperienceGroup) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.Groups[g.ID]; !ok || old.ApplicationID != g.ApplicationID {
		return weir.Errorf(weir.NotFound, "Experience group was not found")
	}
	g.LastUpdated = m.now()
	return m.putGroup(g)
}

func (m *memExperience) DeleteExperienceGroup(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.Groups[id]
	if !ok || g.ApplicationID != appID {
		return weir.Errorf(weir.NotFound, "Experience group was not found")
	}
	delete(m.Groups, id)
	for k, u := range m.Users {
		u.GroupIDs = slices.DeleteFunc(slices.Clone(u.GroupIDs), func(x string) bool { return x == id })
		m.Users[k] = u
	}
	return nil
}
