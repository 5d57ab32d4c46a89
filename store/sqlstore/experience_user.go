package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/weirhq/weir"
)

const userColumns = `id, application_id, email, first_name, last_name, avatar_url, password_hash, user_tags,
	token_cutoff, last_login, password_last_updated, creation_date, last_updated`

// userList is what experience users may be sorted and filtered by.
var userList = listSpec{
	sort: map[string]string{"": "email", "email": "email", "firstName": "first_name", "lastName": "last_name",
		"id": "id", "creationDate": "creation_date", "lastLogin": "last_login", "lastUpdated": "last_updated"},
	filter:      map[string]string{"": "email", "email": "email", "firstName": "first_name", "lastName": "last_name"},
	fold:        map[string]bool{"email": true, "first_name": true, "last_name": true},
	sortNames:   "email, firstName, lastName, id, creationDate, lastLogin, lastUpdated",
	filterNames: "email, firstName or lastName",
}

func errUserNotFound() error { return weir.Errorf(weir.NotFound, "Experience user was not found") }

// FindExperienceUserByID returns the application's user with id, or
// NotFound.
func (s *Store) FindExperienceUserByID(ctx context.Context, applicationID, id string) (*weir.ExperienceUser, error) {
	u, err := s.findUser(ctx, `id = ? AND application_id = ?`, id, applicationID)
	if err != nil {
		return nil, fmt.Errorf("find experience user %s: %w", id, err)
	}
	return u, nil
}

// FindExperienceUserByEmail returns the application's user with email, in
// any case, or NotFound.
func (s *Store) FindExperienceUserByEmail(ctx context.Context, applicationID, email string) (*weir.ExperienceUser, error) {
	u, err := s.findUser(ctx, `email = ? AND application_id = ?`, weir.NormalizeEmail(email), applicationID)
	if err != nil {
		return nil, fmt.Errorf("find experience user by email: %w", err)
	}
	return u, nil
}

func (s *Store) findUser(ctx context.Context, cond string, args ...any) (*weir.ExperienceUser, error) {
	return viewOne(ctx, s, func(q Querier) (*weir.ExperienceUser, error) { return findUser(ctx, q, cond, args...) })
}

func findUser(ctx context.Context, q Querier, cond string, args ...any) (*weir.ExperienceUser, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM experience_users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	return u, loadUserGroups(ctx, q, []*weir.ExperienceUser{u})
}

// FindExperienceUsers returns one page of the users the filter selects and
// how many it selects.
func (s *Store) FindExperienceUsers(ctx context.Context, filter weir.ExperienceUserFilter) ([]*weir.ExperienceUser, int, error) {
	where, args := []string{"application_id = ?"}, []any{filter.ApplicationID}
	if filter.IDs != nil {
		if len(filter.IDs) == 0 {
			return []*weir.ExperienceUser{}, 0, nil
		}
		where = append(where, "id IN ("+placeholders(len(filter.IDs))+")")
		for _, id := range filter.IDs {
			args = append(args, id)
		}
	}
	const member = "EXISTS (SELECT 1 FROM experience_group_members m WHERE m.user_id = experience_users.id"
	switch filter.GroupID {
	case "":
	case "any":
		where = append(where, member+")")
	case "none":
		where = append(where, "NOT "+member+")")
	default:
		where = append(where, member+" AND m.group_id = ?)")
		args = append(args, filter.GroupID)
	}
	opts := filter.ListOptions
	inGo := len(filter.Tags) > 0 || filter.Query != nil
	if inGo {
		opts.Page, opts.PerPage = 0, 0 // tags and the query are matched here, then paged
	}
	cond, args, tail, tailArgs, err := s.listClause(opts, userList, where, args)
	if err != nil {
		return nil, 0, err
	}
	us, n, err := findPage(ctx, s, "experience_users", userColumns, cond, args, tail, tailArgs, scanUser)
	if err != nil {
		return nil, 0, fmt.Errorf("find experience users: %w", err)
	}
	if err := s.d.View(ctx, func(q Querier) error { return loadUserGroups(ctx, q, us) }); err != nil {
		return nil, 0, fmt.Errorf("find experience users: %w", err)
	}
	if inGo {
		matched := us[:0]
		for _, u := range us {
			if hasTags(u.UserTags, filter.Tags) && (filter.Query == nil || filter.Query.MatchUser(u)) {
				matched = append(matched, u)
			}
		}
		us, n = pageOf(matched, filter.ListOptions)
	}
	return us, n, nil
}

// hasTags reports whether tags hold every key of want with its value ("" any).
func hasTags(tags, want map[string]string) bool {
	for k, v := range want {
		got, ok := tags[k]
		if !ok || v != "" && got != v {
			return false
		}
	}
	return true
}

// pageOf returns the page of all that opts selects, and len(all).
func pageOf[T any](all []T, opts weir.ListOptions) ([]T, int) {
	n := len(all)
	start := min(max(opts.Page, 0)*opts.PerPage, n)
	end := n
	if opts.PerPage > 0 {
		end = min(start+opts.PerPage, n)
	}
	return all[start:end], n
}

// CreateExperienceUser stores u, generating its ID when empty.
func (s *Store) CreateExperienceUser(ctx context.Context, u *weir.ExperienceUser) error {
	u.Email = weir.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	id := u.ID
	if id == "" {
		id = weir.NewID()
	}
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		if err := s.checkEmailFree(ctx, q, u.ApplicationID, u.Email, id); err != nil {
			return err
		}
		if err := checkGroupsExist(ctx, q, u.ApplicationID, u.GroupIDs); err != nil {
			return err
		}
		tags, err := marshal(tagObject(u.UserTags))
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO experience_users (`+userColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, u.ApplicationID, u.Email, u.FirstName, u.LastName, u.AvatarURL, u.PasswordHash, tags,
			nullMillis(u.TokenCutoff), nullMillis(u.LastLogin), nullMillis(u.PasswordLastUpdated), millis(now), millis(now))
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Experience user id %s or email %s is already in use", id, u.Email)
		case err != nil:
			return err
		}
		return writeUserGroups(ctx, q, id, u.GroupIDs)
	})
	if err != nil {
		return fmt.Errorf("create experience user: %w", err)
	}
	u.ID, u.CreationDate, u.LastUpdated = id, now, now
	u.GroupIDs = sortedUnique(u.GroupIDs)
	return nil
}

// UpdateExperienceUser replaces the user's fields with u's.
func (s *Store) UpdateExperienceUser(ctx context.Context, u *weir.ExperienceUser) error {
	u.Email = weir.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := findUser(ctx, q, `id = ? AND application_id = ?`, u.ID, u.ApplicationID)
		if err != nil {
			return err
		}
		if err := s.checkEmailFree(ctx, q, u.ApplicationID, u.Email, u.ID); err != nil {
			return err
		}
		if err := checkGroupsExist(ctx, q, u.ApplicationID, u.GroupIDs); err != nil {
			return err
		}
		tags, err := marshal(tagObject(u.UserTags))
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE experience_users SET email = ?, first_name = ?, last_name = ?,
			avatar_url = ?, password_hash = ?, user_tags = ?, token_cutoff = ?, last_login = ?,
			password_last_updated = ?, last_updated = ? WHERE id = ?`,
			u.Email, u.FirstName, u.LastName, u.AvatarURL, u.PasswordHash, tags, nullMillis(u.TokenCutoff),
			nullMillis(u.LastLogin), nullMillis(u.PasswordLastUpdated), millis(now), u.ID); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM experience_group_members WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		u.CreationDate, u.LastUpdated = old.CreationDate, now
		return writeUserGroups(ctx, q, u.ID, u.GroupIDs)
	})
	if err != nil {
		return fmt.Errorf("update experience user %s: %w", u.ID, err)
	}
	u.GroupIDs = sortedUnique(u.GroupIDs)
	return nil
}

// DeleteExperienceUser removes the user and its memberships.
func (s *Store) DeleteExperienceUser(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		return execOne(ctx, q, errUserNotFound, `DELETE FROM experience_users WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete experience user %s: %w", id, err)
	}
	return nil
}

// checkEmailFree returns Validation when another user of the application
// has email: checked before the write, since a failed statement ends a
// PostgreSQL transaction.
func (s *Store) checkEmailFree(ctx context.Context, q Querier, applicationID, email, id string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM experience_users WHERE application_id = ? AND email = ? AND id <> ?`,
		applicationID, email, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return weir.Errorf(weir.Validation, "Email %s is already taken by another experience user", email)
	}
	return nil
}

// checkExist returns Validation (notFound) unless every id names a row of
// table (experience_users or experience_groups) in the application.
func checkExist(ctx context.Context, q Querier, table, applicationID string, ids []string, notFound string) error {
	ids = sortedUnique(ids)
	if len(ids) == 0 {
		return nil
	}
	args := []any{applicationID}
	for _, id := range ids {
		args = append(args, id)
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE application_id = ? AND id IN (`+
		placeholders(len(ids))+`)`, args...).Scan(&n); err != nil {
		return err
	}
	if n != len(ids) {
		return weir.Errorf(weir.Validation, "%s", notFound)
	}
	return nil
}

func checkGroupsExist(ctx context.Context, q Querier, applicationID string, ids []string) error {
	return checkExist(ctx, q, "experience_groups", applicationID, ids, "Experience group was not found")
}

func checkUsersExist(ctx context.Context, q Querier, applicationID string, ids []string) error {
	return checkExist(ctx, q, "experience_users", applicationID, ids, "Experience user was not found")
}

func writeUserGroups(ctx context.Context, q Querier, userID string, groupIDs []string) error {
	for _, g := range sortedUnique(groupIDs) {
		if _, err := q.ExecContext(ctx, `INSERT INTO experience_group_members (group_id, user_id) VALUES (?, ?)`, g, userID); err != nil {
			return err
		}
	}
	return nil
}

// loadUserGroups sets the GroupIDs of us, sorted.
func loadUserGroups(ctx context.Context, q Querier, us []*weir.ExperienceUser) error {
	if len(us) == 0 {
		return nil
	}
	byID := make(map[string]*weir.ExperienceUser, len(us))
	args := make([]any, 0, len(us))
	for _, u := range us {
		u.GroupIDs = []string{}
		byID[u.ID] = u
		args = append(args, u.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT user_id, group_id FROM experience_group_members WHERE user_id IN (`+
		placeholders(len(args))+`) ORDER BY group_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, gid string
		if err := rows.Scan(&uid, &gid); err != nil {
			return err
		}
		byID[uid].GroupIDs = append(byID[uid].GroupIDs, gid)
	}
	return rows.Err()
}

func scanUser(s scanner) (*weir.ExperienceUser, error) {
	var (
		u                        weir.ExperienceUser
		tags                     string
		cutoff, login, pwUpdated sql.NullInt64
		created, updated         int64
	)
	if err := s.Scan(&u.ID, &u.ApplicationID, &u.Email, &u.FirstName, &u.LastName, &u.AvatarURL, &u.PasswordHash,
		&tags, &cutoff, &login, &pwUpdated, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &u.UserTags); err != nil {
		return nil, fmt.Errorf("decode user tags of %s: %w", u.ID, err)
	}
	u.TokenCutoff, u.LastLogin, u.PasswordLastUpdated = timeOf(cutoff), timeOf(login), timeOf(pwUpdated)
	u.CreationDate, u.LastUpdated = fromMillis(created), fromMillis(updated)
	u.GroupIDs = []string{}
	return &u, nil
}

// tagObject returns tags, never nil.
func tagObject(tags map[string]string) map[string]string {
	if tags == nil {
		return map[string]string{}
	}
	return maps.Clone(tags)
}

// sortedUnique returns the distinct ids sorted, never nil.
func sortedUnique(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		return []string{}
	}
	return out
}

// nullMillis stores an optional time.
func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

// timeOf reads an optional time.
func timeOf(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}
