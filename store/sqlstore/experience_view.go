package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

const viewColumns = `id, application_id, name, description, view_type, layout_id, body, headers, view_tags,
	creation_date, last_updated`

// viewList is what views may be sorted and filtered by.
var viewList = listSpec{
	sort: map[string]string{"": "name", "name": "name", "id": "id", "creationDate": "creation_date",
		"lastUpdated": "last_updated"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	plain:       map[string]bool{"creation_date": true, "last_updated": true},
	sortNames:   "name, id, creationDate, lastUpdated",
	filterNames: "name",
}

// FindExperienceViewByID returns the application's view with id, or
// NotFound.
func (s *Store) FindExperienceViewByID(ctx context.Context, applicationID, id string) (*weir.ExperienceView, error) {
	return s.findView(ctx, `id = ? AND application_id = ?`, id, applicationID)
}

// FindExperienceViewByName returns the application's view of viewType
// named name, or NotFound.
func (s *Store) FindExperienceViewByName(ctx context.Context, applicationID, viewType, name string) (*weir.ExperienceView, error) {
	return s.findView(ctx, `application_id = ? AND view_type = ? AND name = ?`, applicationID, viewType, name)
}

func (s *Store) findView(ctx context.Context, cond string, args ...any) (*weir.ExperienceView, error) {
	var v *weir.ExperienceView
	err := s.d.View(ctx, func(q Querier) (err error) {
		v, err = scanView(q.QueryRowContext(ctx, `SELECT `+viewColumns+` FROM experience_views WHERE `+cond, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return errViewNotFound()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find experience view: %w", err)
	}
	return v, nil
}

// FindExperienceViews returns one page of the views the filter selects and
// how many it selects.
func (s *Store) FindExperienceViews(ctx context.Context, filter weir.ExperienceViewFilter) ([]*weir.ExperienceView, int, error) {
	where, args := []string{"application_id = ?"}, []any{filter.ApplicationID}
	if filter.ViewType != "" {
		where, args = append(where, "view_type = ?"), append(args, filter.ViewType)
	}
	cond, args, tail, tailArgs, err := s.listClause(filter.ListOptions, viewList, where, args)
	if err != nil {
		return nil, 0, err
	}
	vs, n, err := findPage(ctx, s, "experience_views", viewColumns, cond, args, tail, tailArgs, scanView)
	if err != nil {
		return nil, 0, fmt.Errorf("find experience views: %w", err)
	}
	return vs, n, nil
}

// CreateExperienceView stores v, generating its ID when empty.
func (s *Store) CreateExperienceView(ctx context.Context, v *weir.ExperienceView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	id := v.ID
	if id == "" {
		id = weir.NewID()
	}
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		if err := checkLayout(ctx, q, v); err != nil {
			return err
		}
		headers, tags, err := encodeViewMaps(v)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO experience_views (`+viewColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, v.ApplicationID, v.Name, v.Description, v.ViewType, v.LayoutID, v.Body, headers, tags, millis(now), millis(now))
		return viewWriteError(s, err, v, id)
	})
	if err != nil {
		return fmt.Errorf("create experience view: %w", err)
	}
	v.ID, v.CreationDate, v.LastUpdated = id, now, now
	return nil
}

// UpdateExperienceView replaces the view's settings with v's; its type
// stays.
func (s *Store) UpdateExperienceView(ctx context.Context, v *weir.ExperienceView) error {
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := scanView(q.QueryRowContext(ctx, `SELECT `+viewColumns+` FROM experience_views WHERE id = ? AND application_id = ?`,
			v.ID, v.ApplicationID))
		if errors.Is(err, sql.ErrNoRows) {
			return errViewNotFound()
		}
		if err != nil {
			return err
		}
		v.ViewType = old.ViewType
		if err := v.Validate(); err != nil {
			return err
		}
		if err := checkLayout(ctx, q, v); err != nil {
			return err
		}
		headers, tags, err := encodeViewMaps(v)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE experience_views SET name = ?, description = ?, layout_id = ?, body = ?,
			headers = ?, view_tags = ?, last_updated = ? WHERE id = ?`,
			v.Name, v.Description, v.LayoutID, v.Body, headers, tags, millis(now), v.ID)
		if err := viewWriteError(s, err, v, v.ID); err != nil {
			return err
		}
		v.CreationDate, v.LastUpdated = old.CreationDate, now
		return nil
	})
	if err != nil {
		return fmt.Errorf("update experience view %s: %w", v.ID, err)
	}
	return nil
}

// DeleteExperienceView removes the view; pages that used it as their
// layout are left without one.
func (s *Store) DeleteExperienceView(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		if err := execOne(ctx, q, errViewNotFound, `DELETE FROM experience_views WHERE id = ? AND application_id = ?`,
			id, applicationID); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, `UPDATE experience_views SET layout_id = '' WHERE application_id = ? AND layout_id = ?`,
			applicationID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete experience view %s: %w", id, err)
	}
	return nil
}

func errViewNotFound() error { return weir.Errorf(weir.NotFound, "Experience view was not found") }

// checkLayout returns Validation unless v's layout, when it has one, is a
// layout of its application.
func checkLayout(ctx context.Context, q Querier, v *weir.ExperienceView) error {
	if v.LayoutID == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM experience_views WHERE id = ? AND application_id = ? AND view_type = ?`,
		v.LayoutID, v.ApplicationID, weir.ViewLayout).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return weir.Errorf(weir.Validation, "layoutId %s is not a layout of this application", v.LayoutID)
	}
	return nil
}

// viewWriteError maps the error of a view's insert or update.
func viewWriteError(s *Store, err error, v *weir.ExperienceView, id string) error {
	switch {
	case s.d.IsForeignKey(err):
		return weir.Errorf(weir.NotFound, "Application was not found")
	case s.d.IsUnique(err):
		return weir.Errorf(weir.Validation, "A %s named %s already exists (or id %s is in use)", v.ViewType, v.Name, id)
	}
	return err
}

func encodeViewMaps(v *weir.ExperienceView) (headers, tags string, err error) {
	if v.ViewTags == nil {
		v.ViewTags = map[string]string{}
	}
	h := v.Headers
	if h == nil {
		h = map[string]string{}
	}
	if headers, err = marshal(h); err != nil {
		return "", "", err
	}
	tags, err = marshal(v.ViewTags)
	return headers, tags, err
}

func scanView(s scanner) (*weir.ExperienceView, error) {
	var (
		v             weir.ExperienceView
		headers, tags string
		created, upd  int64
	)
	if err := s.Scan(&v.ID, &v.ApplicationID, &v.Name, &v.Description, &v.ViewType, &v.LayoutID, &v.Body,
		&headers, &tags, &created, &upd); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &v.Headers); err != nil {
		return nil, err
	}
	if len(v.Headers) == 0 {
		v.Headers = nil
	}
	if err := json.Unmarshal([]byte(tags), &v.ViewTags); err != nil {
		return nil, err
	}
	v.CreationDate, v.LastUpdated = fromMillis(created), fromMillis(upd)
	return &v, nil
}
