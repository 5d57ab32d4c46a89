package nodes_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// memPeople is an in-memory experience user and group store with a
// transparent sign-in for the experience nodes' golden cases: passwords
// "hash" to "hash:<password>", tokens are "token:<user id>:<ttl>". The SQL
// stores pass the services' contracts in store/storetest and the real
// sign-in is auth.Experience's.
type memPeople struct {
	mu     sync.Mutex
	users  []*weir.ExperienceUser
	groups []*weir.ExperienceGroup
	now    func() time.Time
}

func newMemPeople(users []*weir.ExperienceUser, groups []*weir.ExperienceGroup, now func() time.Time) *memPeople {
	for _, u := range users {
		u.ApplicationID = "app"
		if u.PasswordHash == "" {
			u.PasswordHash = "hash:password1"
		}
	}
	for _, g := range groups {
		g.ApplicationID = "app"
	}
	return &memPeople{users: users, groups: groups, now: now}
}

func (m *memPeople) access() *engine.Experience {
	return &engine.Experience{Users: m, Groups: m, Auth: m}
}

// outcome lists the users and groups a run leaves, one line each.
func (m *memPeople) outcome() (users, groups []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		line := fmt.Sprintf("%s %s %s/%s groups=%v tags=%v", u.ID, u.Email, u.FirstName, u.LastName, u.GroupIDs, u.UserTags)
		if u.LastLogin != nil {
			line += " loggedIn"
		}
		if u.TokenCutoff != nil {
			line += " cutoff"
		}
		users = append(users, line+" "+u.PasswordHash)
	}
	for _, g := range m.groups {
		groups = append(groups, fmt.Sprintf("%s %s parent=%s tags=%v query=%s", g.ID, g.Name, g.ParentID, g.GroupTags, g.DeviceQueryJSON))
	}
	return users, groups
}

func (m *memPeople) copyUser(u *weir.ExperienceUser) *weir.ExperienceUser {
	c := *u
	c.GroupIDs = slices.Clone(u.GroupIDs)
	return &c
}

func errNoUser() error { return weir.Errorf(weir.NotFound, "Experience user was not found") }

func (m *memPeople) FindExperienceUserByID(_ context.Context, appID, id string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.ID == id && u.ApplicationID == appID {
			return m.copyUser(u), nil
		}
	}
	return nil, errNoUser()
}

func (m *memPeople) FindExperienceUserByEmail(_ context.Context, appID, email string) (*weir.ExperienceUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if u.Email == weir.NormalizeEmail(email) && u.ApplicationID == appID {
			return m.copyUser(u), nil
		}
	}
	return nil, errNoUser()
}

func (m *memPeople) FindExperienceUsers(_ context.Context, f weir.ExperienceUserFilter) ([]*weir.ExperienceUser, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []*weir.ExperienceUser
	for _, u := range m.users {
		ok := u.ApplicationID == f.ApplicationID
		for k, v := range f.Tags {
			if got, has := u.UserTags[k]; !has || v != "" && got != v {
				ok = false
			}
		}
		if ok && (f.Query == nil || f.Query.MatchUser(u)) {
			all = append(all, m.copyUser(u))
		}
	}
	sort.Slice(all, func(i, j int) bool { return (all[i].Email < all[j].Email) != (f.SortDirection == "desc") })
	n := len(all)
	if f.PerPage > 0 {
		start := min(f.Page*f.PerPage, n)
		all = all[start:min(start+f.PerPage, n)]
	}
	return all, n, nil
}

func (m *memPeople) putUser(u *weir.ExperienceUser, create bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u.Email = weir.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	i := slices.IndexFunc(m.users, func(o *weir.ExperienceUser) bool { return o.ID == u.ID })
	if !create && i < 0 {
		return errNoUser()
	}
	for _, o := range m.users {
		if o.Email == u.Email && o.ID != u.ID {
			return weir.Errorf(weir.Validation, "Email %s is already taken by another experience user", u.Email)
		}
	}
	for _, g := range u.GroupIDs {
		if !slices.ContainsFunc(m.groups, func(eg *weir.ExperienceGroup) bool { return eg.ID == g }) {
			return weir.Errorf(weir.Validation, "Experience group was not found")
		}
	}
	if create {
		u.ID = fmt.Sprintf("%024x", len(m.users)+0xee0)
		u.CreationDate = m.now()
		m.users = append(m.users, m.copyUser(u))
		return nil
	}
	m.users[i] = m.copyUser(u)
	return nil
}

func (m *memPeople) CreateExperienceUser(_ context.Context, u *weir.ExperienceUser) error {
	return m.putUser(u, true)
}

func (m *memPeople) UpdateExperienceUser(_ context.Context, u *weir.ExperienceUser) error {
	return m.putUser(u, false)
}

func (m *memPeople) DeleteExperienceUser(_ context.Context, appID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.users)
	m.users = slices.DeleteFunc(m.users, func(u *weir.ExperienceUser) bool { return u.ID == id && u.ApplicationID == appID })
	if len(m.users) == n {
		return errNoUser()
	}
	return nil
}

func (m *memPeople) FindExperienceGroupByID(_ context.Context, appID, id string) (*weir.ExperienceGroup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range m.groups {
		if g.ID == id && g.ApplicationID == appID {
			c := *g
			c.UserIDs = m.membersOf(g.ID)
			return &c, nil
		}
	}
	return nil, weir.Errorf(weir.NotFound, "Experience group was not found")
}

func (m *memPeople) FindExperienceGroups(_ context.Context, f weir.ExperienceGroupFilter) ([]*weir.ExperienceGroup, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*weir.ExperienceGroup
	for _, g := range m.groups {
		if g.ApplicationID == f.ApplicationID {
			c := *g
			c.UserIDs = m.membersOf(g.ID)
			out = append(out, &c)
		}
	}
	return out, len(out), nil
}

func (m *memPeople) putGroup(g *weir.ExperienceGroup, create bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := g.Validate(); err != nil {
		return err
	}
	if g.ParentID != "" && !slices.ContainsFunc(m.groups, func(o *weir.ExperienceGroup) bool { return o.ID == g.ParentID }) {
		return weir.Errorf(weir.Validation, "Parent experience group was not found")
	}
	for _, id := range g.UserIDs {
		if !slices.ContainsFunc(m.users, func(u *weir.ExperienceUser) bool { return u.ID == id }) {
			return weir.Errorf(weir.Validation, "Experience user was not found")
		}
	}
	c := *g
	c.UserIDs = nil // membership lives on the users, one relation as in the stores
	if create {
		g.ID = fmt.Sprintf("%024x", len(m.groups)+0xe60)
		c.ID = g.ID
		m.groups = append(m.groups, &c)
	} else {
		i := slices.IndexFunc(m.groups, func(o *weir.ExperienceGroup) bool { return o.ID == g.ID })
		if i < 0 {
			return weir.Errorf(weir.NotFound, "Experience group was not found")
		}
		m.groups[i] = &c
	}
	for _, u := range m.users {
		u.GroupIDs = slices.DeleteFunc(slices.Clone(u.GroupIDs), func(x string) bool { return x == g.ID })
		if slices.Contains(g.UserIDs, u.ID) {
			u.GroupIDs = append(u.GroupIDs, g.ID)
			slices.Sort(u.GroupIDs)
		}
	}
	return nil
}

// membersOf returns the ids of the group's members, sorted.
func (m *memPeople) membersOf(groupID string) []string {
	ids := []string{}
	for _, u := range m.users {
		if slices.Contains(u.GroupIDs, groupID) {
			ids = append(ids, u.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (m *memPeople) CreateExperienceGroup(_ context.Context, g *weir.ExperienceGroup) error {
	return m.putGroup(g, true)
}

func (m *memPeople) UpdateExperienceGroup(_ context.Context, g *weir.ExperienceGroup) error {
	return m.putGroup(g, false)
}

func (m *memPeople) DeleteExperienceGroup(context.Context, string, string) error { return nil }

func (m *memPeople) HashPassword(password string) (string, error) {
	if err := weir.ValidatePassword(password); err != nil {
		return "", err
	}
	return "hash:" + password, nil
}

func (m *memPeople) Authenticate(ctx context.Context, appID, email, password, _ string) (*weir.ExperienceUser, error) {
	u, err := m.FindExperienceUserByEmail(ctx, appID, email)
	if err != nil || u.PasswordHash != "hash:"+password {
		return nil, weir.Errorf(weir.Unauthorized, "Invalid email or password")
	}
	return u, nil
}

func (m *memPeople) IssueToken(u *weir.ExperienceUser, ttl time.Duration, extra any) (string, error) {
	tok := fmt.Sprintf("token:%s:%s", u.ID, ttl)
	if extra != nil {
		tok += fmt.Sprintf(":%v", extra)
	}
	return tok, nil
}

func (m *memPeople) VerifyToken(ctx context.Context, appID, token string) (*weir.ExperienceUser, *weir.ExperienceAuthInfo, error) {
	parts := strings.Split(token, ":")
	if len(parts) < 3 || parts[0] != "token" {
		return nil, nil, weir.Errorf(weir.Unauthorized, "Invalid experience user token")
	}
	u, err := m.FindExperienceUserByID(ctx, appID, parts[1])
	if err != nil {
		return nil, nil, weir.Errorf(weir.Unauthorized, "Invalid experience user token")
	}
	return u, &weir.ExperienceAuthInfo{IssuedAt: m.now()}, nil
}
