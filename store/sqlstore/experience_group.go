package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weirhq/weir"
)

const groupColumns = `id, application_id, name, description, parent_id, group_tags, endpoint_ids, device_ids,
	device_tags, device_query_json, creation_date, last_updated`

// groupList is what experience groups may be sorted and filtered by.
var groupList = listSpec{
	sort: map[string]string{"": "name", "name": "name", "id": "id", "creationDate": "creation_date",
		"lastUpdated": "last_updated"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	sortNames:   "name, id, creationDate, lastUpdated",
	filterNames: "name",
}

func errGroupNotFound() error { return weir.Errorf(weir.NotFound, "Experience group was not found") }

// FindExperienceGroupByID returns the application's group with id, or
// NotFound.
func (s *Store) FindExperienceGroupByID(ctx context.Context, applicationID, id string) (*weir.ExperienceGroup, error) {
	g, err := viewOne(ctx, s, func(q Querier) (*weir.ExperienceGroup, error) { return findGroup(ctx, q, applicationID, id) })
	if err != nil {
		return nil, fmt.Errorf("find experience group %s: %w", id, err)
	}
	return g, nil
}

func findGroup(ctx context.Context, q Querier, applicationID, id string) (*weir.ExperienceGroup, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM experience_groups WHERE id = ? AND application_id = ?`,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errGroupNotFound()
	}
	if err != nil {
		return nil, err
	}
	return g, loadGroupMembers(ctx, q, []*weir.ExperienceGroup{g})
}

// FindExperienceGroups returns one page of the application's groups and
// how many there are.
func (s *Store) FindExperienceGroups(ctx context.Context, filter weir.ExperienceGroupFilter) ([]*weir.ExperienceGroup, int, error) {
	opts := filter.ListOptions
	if filter.Query != nil {
		opts.Page, opts.PerPage, opts.Filter = 0, 0, "" // the query is matched here, against the whole tree, then paged
	}
	cond, args, tail, tailArgs, err := s.listClause(opts, groupList,
		[]string{"application_id = ?"}, []any{filter.ApplicationID})
	if err != nil {
		return nil, 0, err
	}
	gs, n, err := findPage(ctx, s, "experience_groups", groupColumns, cond, args, tail, tailArgs, scanGroup)
	if err == nil && (!filter.NoMembers || filter.Query != nil) {
		err = s.d.View(ctx, func(q Querier) error { return loadGroupMembers(ctx, q, gs) })
	}
	if err != nil {
		return nil, 0, fmt.Errorf("find experience groups: %w", err)
	}
	if filter.Query != nil {
		tree := weir.NewGroupTree(gs)
		var matched []*weir.ExperienceGroup
		for _, g := range gs {
			if filter.Query.MatchGroup(g, tree) {
				matched = append(matched, g)
			}
		}
		gs, n = pageOf(matched, filter.ListOptions)
		if gs == nil {
			gs = []*weir.ExperienceGroup{}
		}
	}
	return gs, n, nil
}

// CreateExperienceGroup stores g, generating its ID when empty.
func (s *Store) CreateExperienceGroup(ctx context.Context, g *weir.ExperienceGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	id := g.ID
	if id == "" {
		id = weir.NewID()
	}
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM experience_groups WHERE application_id = ?`,
			g.ApplicationID).Scan(&n); err != nil {
			return err
		}
		if n >= weir.MaxExperienceGroups {
			return weir.Errorf(weir.Validation, "An application has at most %d experience groups", weir.MaxExperienceGroups)
		}
		if err := checkGroupRefs(ctx, q, g, id); err != nil {
			return err
		}
		cols, err := groupValues(g)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO experience_groups (`+groupColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(append([]any{id, g.ApplicationID}, cols...), millis(now), millis(now))...)
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Experience group id %s is already in use", id)
		case err != nil:
			return err
		}
		return writeGroupMembers(ctx, q, id, g.UserIDs)
	})
	if err != nil {
		return fmt.Errorf("create experience group: %w", err)
	}
	g.ID, g.CreationDate, g.LastUpdated, g.UserIDs = id, now, now, sortedUnique(g.UserIDs)
	return nil
}

// UpdateExperienceGroup replaces the group's fields with g's.
func (s *Store) UpdateExperienceGroup(ctx context.Context, g *weir.ExperienceGroup) error {
	if err := g.Validate(); err != nil {
		return err
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := findGroup(ctx, q, g.ApplicationID, g.ID)
		if err != nil {
			return err
		}
		if err := checkGroupRefs(ctx, q, g, g.ID); err != nil {
			return err
		}
		cols, err := groupValues(g)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE experience_groups SET name = ?, description = ?, parent_id = ?,
			group_tags = ?, endpoint_ids = ?, device_ids = ?, device_tags = ?, device_query_json = ?, last_updated = ?
			WHERE id = ?`, append(cols, millis(now), g.ID)...); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM experience_group_members WHERE group_id = ?`, g.ID); err != nil {
			return err
		}
		g.CreationDate, g.LastUpdated = old.CreationDate, now
		return writeGroupMembers(ctx, q, g.ID, g.UserIDs)
	})
	if err != nil {
		return fmt.Errorf("update experience group %s: %w", g.ID, err)
	}
	g.UserIDs = sortedUnique(g.UserIDs)
	return nil
}

// DeleteExperienceGroup removes the group; its children move up to its
// parent, and the application's endpoints stop naming it (an endpoint with
// group access whose last group this was keeps group access with no groups,
// so it refuses everyone until it names a group again).
func (s *Store) DeleteExperienceGroup(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		g, err := findGroup(ctx, q, applicationID, id)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE experience_groups SET parent_id = ?, last_updated = ?
			WHERE application_id = ? AND parent_id = ?`, g.ParentID, millis(now), applicationID, id); err != nil {
			return err
		}
		if err := s.dropEndpointGroup(ctx, q, applicationID, id); err != nil {
			return err
		}
		return execOne(ctx, q, errGroupNotFound, `DELETE FROM experience_groups WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete experience group %s: %w", id, err)
	}
	return nil
}

// dropEndpointGroup removes groupID from the experienceGroupIds of the
// application's endpoints that name it, as a foreign key's cascade would:
// their lastUpdated stays (its column type differs between the stores).
func (s *Store) dropEndpointGroup(ctx context.Context, q Querier, applicationID, groupID string) error {
	return s.rewriteIDList(ctx, q, "experience_endpoints", "experience_group_ids", applicationID, groupID,
		func(ids []string) []string {
			return sortedUnique(slices.DeleteFunc(ids, func(g string) bool { return g == groupID }))
		})
}

// rewriteIDList replaces, in each row of the application in table whose
// JSON id list column names id, that list with what edit returns for it,
// locking the rows it reads.
func (s *Store) rewriteIDList(ctx context.Context, q Querier, table, column, applicationID, id string, edit func(ids []string) []string) error {
	quoted, err := marshal(id)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+`
		WHERE application_id = ? AND `+column+` LIKE ?`+s.d.Lock(true), applicationID, "%"+quoted+"%")
	if err != nil {
		return err
	}
	changed := map[string]string{}
	for rows.Next() {
		var rowID, text string
		var ids []string
		if err := rows.Scan(&rowID, &text); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(text), &ids); err != nil {
			rows.Close()
			return fmt.Errorf("decode %s of %s: %w", column, rowID, err)
		}
		if !slices.Contains(ids, id) {
			continue // the pattern matched another id containing this one
		}
		if changed[rowID], err = marshal(nonNil(edit(ids))); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for rowID, text := range changed {
		if _, err := q.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, text, rowID); err != nil {
			return err
		}
	}
	return nil
}

// checkGroupRefs checks that g's members are users of its application and
// that its parent is a group there that is not g or below it.
func checkGroupRefs(ctx context.Context, q Querier, g *weir.ExperienceGroup, id string) error {
	if err := checkUsersExist(ctx, q, g.ApplicationID, g.UserIDs); err != nil {
		return err
	}
	if g.ParentID == "" {
		return nil
	}
	if g.ParentID == id {
		return weir.Errorf(weir.Validation, "A group cannot be its own parent")
	}
	seen := map[string]bool{}
	for p := g.ParentID; p != ""; {
		if p == id {
			return weir.Errorf(weir.Validation, "parentId %s is below the group itself", g.ParentID)
		}
		if seen[p] {
			break
		}
		seen[p] = true
		var next string
		err := q.QueryRowContext(ctx, `SELECT parent_id FROM experience_groups WHERE id = ? AND application_id = ?`,
			p, g.ApplicationID).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			if p == g.ParentID {
				return weir.Errorf(weir.Validation, "Parent experience group was not found")
			}
			break
		} else if err != nil {
			return err
		}
		p = next
	}
	return nil
}

// groupValues returns g's stored columns from name to device_query_json.
func groupValues(g *weir.ExperienceGroup) ([]any, error) {
	tags, err1 := marshal(tagObject(g.GroupTags))
	endpoints, err2 := marshal(sortedUnique(g.EndpointIDs))
	devices, err3 := marshal(sortedUnique(g.DeviceIDs))
	dtags := g.DeviceTags
	if dtags == nil {
		dtags = []weir.DeviceTag{}
	}
	deviceTags, err4 := marshal(dtags)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	return []any{g.Name, g.Description, g.ParentID, tags, endpoints, devices, deviceTags, g.DeviceQueryJSON}, nil
}

func writeGroupMembers(ctx context.Context, q Querier, groupID string, userIDs []string) error {
	for _, u := range sortedUnique(userIDs) {
		if _, err := q.ExecContext(ctx, `INSERT INTO experience_group_members (group_id, user_id) VALUES (?, ?)`, groupID, u); err != nil {
			return err
		}
	}
	return nil
}

// loadGroupMembers sets the UserIDs of gs, sorted.
func loadGroupMembers(ctx context.Context, q Querier, gs []*weir.ExperienceGroup) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[string]*weir.ExperienceGroup, len(gs))
	args := make([]any, 0, len(gs))
	for _, g := range gs {
		g.UserIDs = []string{}
		byID[g.ID] = g
		args = append(args, g.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT group_id, user_id FROM experience_group_members WHERE group_id IN (`+
		placeholders(len(args))+`) ORDER BY user_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var gid, uid string
		if err := rows.Scan(&gid, &uid); err != nil {
			return err
		}
		byID[gid].UserIDs = append(byID[gid].UserIDs, uid)
	}
	return rows.Err()
}

func scanGroup(s scanner) (*weir.ExperienceGroup, error) {
	var (
		g                                  weir.ExperienceGroup
		tags, endpoints, devices, deviceTs string
		created, updated                   int64
	)
	if err := s.Scan(&g.ID, &g.ApplicationID, &g.Name, &g.Description, &g.ParentID, &tags, &endpoints, &devices,
		&deviceTs, &g.DeviceQueryJSON, &created, &updated); err != nil {
		return nil, err
	}
	err := errors.Join(json.Unmarshal([]byte(tags), &g.GroupTags), json.Unmarshal([]byte(endpoints), &g.EndpointIDs),
		json.Unmarshal([]byte(devices), &g.DeviceIDs), json.Unmarshal([]byte(deviceTs), &g.DeviceTags))
	if err != nil {
		return nil, fmt.Errorf("decode experience group %s: %w", g.ID, err)
	}
	g.CreationDate, g.LastUpdated = fromMillis(created), fromMillis(updated)
	g.UserIDs = slices.Clip([]string{})
	return &g, nil
}

// EncodeEndpointAccess returns the stored text of an endpoint's group ids,
// unauthorized reply, tags and static reply (experience_group_ids,
// unauthorized_reply, endpoint_tags, static_reply), for the endpoint stores
// of SQLite and PostgreSQL.
func EncodeEndpointAccess(e *weir.ExperienceEndpoint) (groups, reply, tags, static string, err error) {
	if groups, err = marshal(sortedUnique(e.GroupIDs)); err != nil {
		return "", "", "", "", err
	}
	if tags, err = marshal(tagObject(e.Tags)); err != nil {
		return "", "", "", "", err
	}
	if e.UnauthorizedReply != nil {
		if reply, err = marshal(e.UnauthorizedReply); err != nil {
			return "", "", "", "", err
		}
	}
	if e.StaticReply != nil {
		static, err = marshal(e.StaticReply)
	}
	return groups, reply, tags, static, err
}

// DecodeEndpointAccess sets e's group ids, unauthorized reply, tags and
// static reply from their stored text.
func DecodeEndpointAccess(e *weir.ExperienceEndpoint, groups, reply, tags, static string) error {
	e.StaticReply = nil
	if static != "" {
		e.StaticReply = &weir.StaticReply{}
		if err := json.Unmarshal([]byte(static), e.StaticReply); err != nil {
			return fmt.Errorf("decode static reply of %s: %w", e.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
		return fmt.Errorf("decode endpoint tags of %s: %w", e.ID, err)
	}
	if len(e.Tags) == 0 {
		e.Tags = nil
	}
	if err := json.Unmarshal([]byte(groups), &e.GroupIDs); err != nil {
		return fmt.Errorf("decode endpoint groups of %s: %w", e.ID, err)
	}
	if len(e.GroupIDs) == 0 {
		e.GroupIDs = nil
	}
	e.UnauthorizedReply = nil
	if reply != "" {
		e.UnauthorizedReply = &weir.UnauthorizedReply{}
		if err := json.Unmarshal([]byte(reply), e.UnauthorizedReply); err != nil {
			return fmt.Errorf("decode unauthorized reply of %s: %w", e.ID, err)
		}
	}
	return nil
}
