package nodes

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

// groupMembersConfig are Group: Update's member fields: users, each an id
// or email template, to add to the group, to remove from it, or to make its
// whole membership.
type groupMembersConfig struct {
	MembersToAdd       json.RawMessage `json:"membersToAdd"`
	MembersToRemove    json.RawMessage `json:"membersToRemove"`
	MembersReplacement json.RawMessage `json:"membersReplacement"`
}

// groupMemberSpecs document groupMembersConfig.
var groupMemberSpecs = []engine.Field{
	{Name: "membersToAdd", Kind: "array", Doc: "User id or email templates: users to add to the group."},
	{Name: "membersToRemove", Kind: "array", Doc: "User id or email templates: users to take out of the group."},
	{Name: "membersReplacement", Kind: "array", Doc: "User id or email templates: the group's whole membership ([] empties it); not with membersToAdd or membersToRemove."},
}

// groupMembers is groupMembersConfig compiled.
type groupMembers struct {
	add, remove, replace []*template.Template
	replacing            bool
}

func compileGroupMembers(cfg groupMembersConfig) (*groupMembers, error) {
	m := &groupMembers{}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *[]*template.Template
	}{{"membersToAdd", cfg.MembersToAdd, &m.add}, {"membersToRemove", cfg.MembersToRemove, &m.remove},
		{"membersReplacement", cfg.MembersReplacement, &m.replace}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		var list []engine.Text
		if err := json.Unmarshal(f.raw, &list); err != nil {
			return nil, engine.Errorf("Validation", "%s must be an array of user id or email templates", f.name)
		}
		if len(list) > weir.MaxGroupMembers {
			return nil, engine.Errorf("Validation", "%s names at most %d users", f.name, weir.MaxGroupMembers)
		}
		*f.dst = []*template.Template{}
		for i, s := range list {
			t, err := engine.CompileTemplate(f.name+"["+strconv.Itoa(i)+"]", string(s))
			if err != nil {
				return nil, err
			}
			*f.dst = append(*f.dst, t)
		}
		if f.name == "membersReplacement" {
			m.replacing = true
		}
	}
	if m.replacing && len(m.add)+len(m.remove) > 0 {
		return nil, engine.Errorf("Validation", "membersReplacement cannot be combined with membersToAdd or membersToRemove")
	}
	return m, nil
}

// apply sets c's members from base (the group's members, or those c sets):
// the replacement, or base with the added users and without the removed
// ones. Every user named must be a user of the application.
func (m *groupMembers) apply(ctx context.Context, env *engine.Env, c *weir.ExperienceGroupChange, base []string, p engine.Payload) error {
	if !m.replacing && len(m.add)+len(m.remove) == 0 {
		return nil
	}
	if c.UserIDs != nil {
		base = *c.UserIDs
	}
	ids := slices.Clone(base)
	if m.replacing {
		ids = []string{}
	}
	add, err := resolveMembers(ctx, env, "membersReplacement", m.replace, p)
	if !m.replacing {
		add, err = resolveMembers(ctx, env, "membersToAdd", m.add, p)
	}
	if err != nil {
		return err
	}
	remove, err := resolveMembers(ctx, env, "membersToRemove", m.remove, p)
	if err != nil {
		return err
	}
	ids = slices.DeleteFunc(append(ids, add...), func(id string) bool { return slices.Contains(remove, id) })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	c.UserIDs = &ids
	return nil
}

// resolveMembers renders ts and finds the users they name by id or email;
// blank entries are skipped.
func resolveMembers(ctx context.Context, env *engine.Env, field string, ts []*template.Template, p engine.Payload) ([]string, error) {
	var ids []string
	for i, t := range ts {
		name := field + "[" + strconv.Itoa(i) + "]"
		s, err := renderText(name, t, p)
		if err != nil || s == "" {
			if err != nil {
				return nil, err
			}
			continue
		}
		u, err := findUser(ctx, env, s)
		if weir.ErrorTypeOf(err) == weir.NotFound {
			return nil, weir.Errorf(weir.Validation, "%s: experience user %s was not found", name, s)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}
