package weir

import (
	"context"
	"encoding/json"
	"slices"
	"time"
	"unicode/utf8"
)

// Limits of experience groups, as Losant's schemas state them.
const (
	MaxGroupMembers     = 1000
	MaxGroupDevices     = 1000
	MaxGroupDeviceTags  = 100
	maxDeviceQueryJSON  = 8192
	MaxExperienceGroups = 10000 // per application: the tree is read whole
)

// ExperienceGroup is a set of experience users. Groups form a tree
// (ParentID); a group names the devices its members may see by id, by tag
// or by an advanced device query, and a member of a group also belongs to
// every group below it.
type ExperienceGroup struct {
	ID              string            `json:"id"`
	ApplicationID   string            `json:"applicationId"`
	Name            string            `json:"name"`
	Description     string            `json:"description"`
	ParentID        string            `json:"parentId"` // "" at the top
	GroupTags       map[string]string `json:"groupTags"`
	UserIDs         []string          `json:"experienceUserIds"` // direct members
	EndpointIDs     []string          `json:"experienceEndpointIds"`
	DeviceIDs       []string          `json:"deviceIds"`
	DeviceTags      []DeviceTag       `json:"deviceTags"`
	DeviceQueryJSON string            `json:"deviceQueryJson"` // "" none
	CreationDate    time.Time         `json:"creationDate"`
	LastUpdated     time.Time         `json:"lastUpdated"`
}

// Validate checks the structural rules of a group.
func (g *ExperienceGroup) Validate() error {
	if n := utf8.RuneCountInString(g.Name); n < 1 || n > 255 {
		return Errorf(Validation, "name must be 1 to 255 characters")
	}
	if utf8.RuneCountInString(g.Description) > 32767 {
		return Errorf(Validation, "description must be at most 32767 characters")
	}
	if g.ParentID != "" && !ValidID(g.ParentID) {
		return Errorf(Validation, "parentId %q is not an id", g.ParentID)
	}
	if g.ParentID != "" && g.ParentID == g.ID {
		return Errorf(Validation, "A group cannot be its own parent")
	}
	if err := validTagObject("groupTags", g.GroupTags); err != nil {
		return err
	}
	if err := validIDList("experienceUserIds", g.UserIDs, MaxGroupMembers); err != nil {
		return err
	}
	if err := validIDList("experienceEndpointIds", g.EndpointIDs, MaxGroupMembers); err != nil {
		return err
	}
	if err := validIDList("deviceIds", g.DeviceIDs, MaxGroupDevices); err != nil {
		return err
	}
	if len(g.DeviceTags) > MaxGroupDeviceTags {
		return Errorf(Validation, "deviceTags has more than %d items", MaxGroupDeviceTags)
	}
	for _, t := range g.DeviceTags {
		if !validTagKey(t.Key) && t.Key != "" || utf8.RuneCountInString(t.Value) > 255 {
			return Errorf(Validation, "deviceTags item %s=%s is not a valid tag", t.Key, t.Value)
		}
	}
	if len(g.DeviceQueryJSON) > maxDeviceQueryJSON {
		return Errorf(Validation, "deviceQueryJson must be at most %d characters", maxDeviceQueryJSON)
	}
	_, err := g.DeviceQuery()
	return err
}

// DeviceQuery returns the group's advanced device query, nil when it has
// none, or Validation when it is not a valid query.
func (g *ExperienceGroup) DeviceQuery() (*DeviceQuery, error) {
	if g.DeviceQueryJSON == "" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal([]byte(g.DeviceQueryJSON), &v); err != nil {
		return nil, Errorf(Validation, "deviceQueryJson is not valid JSON")
	}
	return ParseDeviceQuery(v)
}

// NamesDevice reports whether the group itself (not its descendants) names
// d: by id, by one of its tags (an empty key or value matches any), or by
// its device query. A query that matches every device ({"$nor": []}) names
// them all.
func (g *ExperienceGroup) NamesDevice(d *Device) bool {
	if d == nil || d.ApplicationID != g.ApplicationID {
		return false
	}
	if slices.Contains(g.DeviceIDs, d.ID) {
		return true
	}
	for _, t := range g.DeviceTags {
		if d.HasTag(t.Key, t.Value) {
			return true
		}
	}
	q, err := g.DeviceQuery()
	return err == nil && q != nil && q.Match(d)
}

// GroupTree is an application's groups by id, for walking the hierarchy.
type GroupTree map[string]*ExperienceGroup

// NewGroupTree indexes groups by id.
func NewGroupTree(groups []*ExperienceGroup) GroupTree {
	t := make(GroupTree, len(groups))
	for _, g := range groups {
		t[g.ID] = g
	}
	return t
}

// Ancestors returns the ids of the groups above id, its parent first. A
// broken chain ends it.
func (t GroupTree) Ancestors(id string) []string {
	out := []string{}
	seen := map[string]bool{id: true}
	for g := t[id]; g != nil && g.ParentID != "" && !seen[g.ParentID]; g = t[g.ParentID] {
		seen[g.ParentID] = true
		out = append(out, g.ParentID)
	}
	return out
}

// Descendants returns id and the ids of every group below it.
func (t GroupTree) Descendants(id string) []string {
	children := map[string][]string{}
	for _, g := range t {
		if g.ParentID != "" {
			children[g.ParentID] = append(children[g.ParentID], g.ID)
		}
	}
	for _, c := range children {
		slices.Sort(c)
	}
	out, seen := []string{}, map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, id)
		for _, c := range children[id] {
			walk(c)
		}
	}
	walk(id)
	return out
}

// InGroup reports whether a user whose direct groups are userGroups
// belongs to group id: it is one of them, or below one of them.
func (t GroupTree) InGroup(userGroups []string, id string) bool {
	if t[id] == nil {
		return false
	}
	if slices.Contains(userGroups, id) {
		return true
	}
	for _, a := range t.Ancestors(id) {
		if slices.Contains(userGroups, a) {
			return true
		}
	}
	return false
}

// SeesDevice reports whether a member of the groups (and so of every group
// below them) may see d.
func (t GroupTree) SeesDevice(groups []string, d *Device) bool {
	for _, id := range groups {
		for _, gid := range t.Descendants(id) {
			if g := t[gid]; g != nil && g.NamesDevice(d) {
				return true
			}
		}
	}
	return false
}

// ExperienceGroupFilter selects groups of one application.
type ExperienceGroupFilter struct {
	ApplicationID string
	Query         *ExperienceQuery // a group query (ParseExperienceGroupQuery); nil: none
	NoMembers     bool             // leave UserIDs empty: cheaper, for walking the tree
	ListOptions                    // SortField name (default), id, creationDate, lastUpdated; FilterField name
}

// ExperienceGroupService manages experience groups. Deleting an
// application deletes its groups.
type ExperienceGroupService interface {
	// FindExperienceGroupByID returns NotFound ("Experience group was not
	// found") unless the application has a group with that id.
	FindExperienceGroupByID(ctx context.Context, applicationID, id string) (*ExperienceGroup, error)

	// FindExperienceGroups returns one page of an application's groups and
	// how many the filter selects; without PerPage, all of them.
	FindExperienceGroups(ctx context.Context, filter ExperienceGroupFilter) ([]*ExperienceGroup, int, error)

	// CreateExperienceGroup stores a new group; it sets ID (when empty),
	// CreationDate and LastUpdated. It returns Validation when g does not
	// validate, its parent or a member is not of the application, or the
	// application has MaxExperienceGroups groups, and NotFound
	// ("Application was not found") when its application does not exist.
	CreateExperienceGroup(ctx context.Context, g *ExperienceGroup) error

	// UpdateExperienceGroup replaces the stored group's fields (all but
	// CreationDate) with g's and sets LastUpdated. A parent below the
	// group itself is Validation. Errors otherwise as
	// CreateExperienceGroup, and NotFound like FindExperienceGroupByID.
	UpdateExperienceGroup(ctx context.Context, g *ExperienceGroup) error

	// DeleteExperienceGroup removes the group and its memberships; the
	// groups directly below it move up to its parent. It returns NotFound
	// like FindExperienceGroupByID.
	DeleteExperienceGroup(ctx context.Context, applicationID, id string) error
}

// ExperienceGroupDocument returns g as Losant shows an experience group, in
// API answers and on the results of the group nodes: with its ancestors
// from t (parent first) and a null parentId at the top.
func ExperienceGroupDocument(g *ExperienceGroup, t GroupTree) map[string]any {
	strs := func(ids []string) []any {
		out := make([]any, 0, len(ids))
		for _, id := range ids {
			out = append(out, id)
		}
		return out
	}
	tags := make(map[string]any, len(g.GroupTags))
	for k, v := range g.GroupTags {
		tags[k] = v
	}
	dtags := make([]any, 0, len(g.DeviceTags))
	for _, dt := range g.DeviceTags {
		dtags = append(dtags, map[string]any{"key": dt.Key, "value": dt.Value})
	}
	doc := map[string]any{
		"id": g.ID, "experienceGroupId": g.ID, "applicationId": g.ApplicationID,
		"name": g.Name, "description": g.Description, "parentId": nil, "ancestorIds": strs(t.Ancestors(g.ID)),
		"groupTags": tags, "experienceUserIds": strs(g.UserIDs), "experienceEndpointIds": strs(g.EndpointIDs),
		"deviceIds": strs(g.DeviceIDs), "deviceTags": dtags, "deviceQueryJson": nil,
		"creationDate": g.CreationDate, "lastUpdated": g.LastUpdated,
	}
	if g.ParentID != "" {
		doc["parentId"] = g.ParentID
	}
	if g.DeviceQueryJSON != "" {
		doc["deviceQueryJson"] = g.DeviceQueryJSON
	}
	return doc
}

// ExperienceGroupChange is a post or patch of a group, from the API
// (experienceGroupPost, experienceGroupPatch) or a node; absent fields are
// nil and keep their value.
type ExperienceGroupChange struct {
	Name            *string            `json:"name"`
	Description     *string            `json:"description"`
	UserIDs         *[]string          `json:"experienceUserIds"`
	EndpointIDs     *[]string          `json:"experienceEndpointIds"`
	GroupTags       *map[string]string `json:"groupTags"`
	DeviceIDs       *[]string          `json:"deviceIds"`
	DeviceTags      *[]DeviceTag       `json:"deviceTags"`
	DeviceQueryJSON json.RawMessage    `json:"deviceQueryJson"` // string or null
	ParentID        json.RawMessage    `json:"parentId"`        // id or null
}

// Apply sets each field present in b on g and validates g.
func (b *ExperienceGroupChange) Apply(g *ExperienceGroup) error {
	if b.Name != nil {
		g.Name = *b.Name
	}
	if b.Description != nil {
		g.Description = *b.Description
	}
	if b.UserIDs != nil {
		g.UserIDs = *b.UserIDs
	}
	if b.EndpointIDs != nil {
		g.EndpointIDs = *b.EndpointIDs
	}
	if b.GroupTags != nil {
		g.GroupTags = *b.GroupTags
	}
	if b.DeviceIDs != nil {
		g.DeviceIDs = *b.DeviceIDs
	}
	if b.DeviceTags != nil {
		g.DeviceTags = *b.DeviceTags
	}
	for _, f := range []struct {
		raw json.RawMessage
		dst *string
	}{{b.DeviceQueryJSON, &g.DeviceQueryJSON}, {b.ParentID, &g.ParentID}} {
		if len(f.raw) == 0 {
			continue
		}
		*f.dst = ""
		if string(f.raw) != "null" {
			if err := json.Unmarshal(f.raw, f.dst); err != nil {
				return Errorf(Validation, "deviceQueryJson and parentId must be strings or null")
			}
		}
	}
	return g.Validate()
}

// ExperienceDevices returns what decides whether a device is associated
// with an experience user ("experienceUser", by id or email) or group
// ("experienceGroup"): one of the user's groups, or the group, or a group
// below them names it. Users are read once each through users with ctx; a
// user that cannot be read is associated with nothing. For
// DeviceQuery.WithExperience and Device: Verify.
func ExperienceDevices(ctx context.Context, users ExperienceUserService, t GroupTree, applicationID string) func(kind, id string, d *Device) bool {
	groupsOf := map[string][]string{}
	return func(kind, id string, d *Device) bool {
		if kind == "experienceGroup" {
			return t.SeesDevice([]string{id}, d)
		}
		gs, ok := groupsOf[id]
		if !ok {
			var u *ExperienceUser
			var err error
			if ValidID(id) {
				u, err = users.FindExperienceUserByID(ctx, applicationID, id)
			} else {
				u, err = users.FindExperienceUserByEmail(ctx, applicationID, id)
			}
			if err == nil {
				gs = u.GroupIDs
			}
			groupsOf[id] = gs
		}
		return t.SeesDevice(gs, d)
	}
}
