package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

const recipeColumns = `id, application_id, name, doc, creation_date, last_updated`

// recipeList is what device recipes may be sorted and filtered by.
var recipeList = listSpec{
	sort: map[string]string{"": "name", "name": "name", "id": "id", "creationDate": "creation_date",
		"lastUpdated": "last_updated"},
	filter:      map[string]string{"": "name", "name": "name"},
	fold:        map[string]bool{"name": true},
	plain:       map[string]bool{"creation_date": true, "last_updated": true},
	sortNames:   "name, id, creationDate, lastUpdated",
	filterNames: "name",
}

// FindDeviceRecipeByID returns the application's recipe with id, or
// NotFound.
func (s *Store) FindDeviceRecipeByID(ctx context.Context, applicationID, id string) (*weir.DeviceRecipe, error) {
	r, err := viewOne(ctx, s, func(q Querier) (*weir.DeviceRecipe, error) { return findRecipe(ctx, q, applicationID, id) })
	if err != nil {
		return nil, fmt.Errorf("find device recipe %s: %w", id, err)
	}
	return r, nil
}

// FindDeviceRecipes returns one page of the application's recipes and how
// many match the filter.
func (s *Store) FindDeviceRecipes(ctx context.Context, filter weir.DeviceRecipeFilter) ([]*weir.DeviceRecipe, int, error) {
	cond, args, tail, tailArgs, err := s.listClause(filter.ListOptions, recipeList,
		[]string{"application_id = ?"}, []any{filter.ApplicationID})
	if err != nil {
		return nil, 0, err
	}
	rs, n, err := findPage(ctx, s, "device_recipes", recipeColumns, cond, args, tail, tailArgs, scanRecipe)
	if err != nil {
		return nil, 0, fmt.Errorf("find device recipes: %w", err)
	}
	return rs, n, nil
}

// CreateDeviceRecipe stores r, generating its ID when empty.
func (s *Store) CreateDeviceRecipe(ctx context.Context, r *weir.DeviceRecipe) error {
	if err := r.Validate(); err != nil {
		return err
	}
	id := cmp.Or(r.ID, weir.NewID())
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		doc, err := encodeRecipe(r)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO device_recipes (`+recipeColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			id, r.ApplicationID, r.Name, doc, millis(now), millis(now))
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Device recipe id %s is already in use", id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create device recipe: %w", err)
	}
	r.ID, r.CreationDate, r.LastUpdated = id, now, now
	return nil
}

// UpdateDeviceRecipe replaces the stored recipe's fields with r's.
func (s *Store) UpdateDeviceRecipe(ctx context.Context, r *weir.DeviceRecipe) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := findRecipe(ctx, q, r.ApplicationID, r.ID)
		if err != nil {
			return err
		}
		r.CreationDate, r.LastUpdated = old.CreationDate, now
		doc, err := encodeRecipe(r)
		if err != nil {
			return err
		}
		return execOne(ctx, q, errRecipeNotFound, `UPDATE device_recipes SET name = ?, doc = ?, last_updated = ?
			WHERE id = ? AND application_id = ?`, r.Name, doc, millis(now), r.ID, r.ApplicationID)
	})
	if err != nil {
		return fmt.Errorf("update device recipe %s: %w", r.ID, err)
	}
	return nil
}

// DeleteDeviceRecipe removes the recipe.
func (s *Store) DeleteDeviceRecipe(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		return execOne(ctx, q, errRecipeNotFound, `DELETE FROM device_recipes WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete device recipe %s: %w", id, err)
	}
	return nil
}

func errRecipeNotFound() error { return weir.Errorf(weir.NotFound, "Device recipe was not found") }

func findRecipe(ctx context.Context, q Querier, applicationID, id string) (*weir.DeviceRecipe, error) {
	r, err := scanRecipe(q.QueryRowContext(ctx, `SELECT `+recipeColumns+` FROM device_recipes WHERE id = ? AND application_id = ?`,
		id, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRecipeNotFound()
	}
	return r, err
}

// encodeRecipe returns the JSON document of r's fields, without its id,
// application and dates (which have columns of their own).
func encodeRecipe(r *weir.DeviceRecipe) (string, error) {
	c := *r
	c.ID, c.ApplicationID, c.CreationDate, c.LastUpdated = "", "", time.Time{}, time.Time{}
	if c.Tags == nil {
		c.Tags = []weir.DeviceTag{}
	}
	if c.Attributes == nil {
		c.Attributes = []weir.RecipeAttribute{}
	}
	r.Tags, r.Attributes = c.Tags, c.Attributes
	return marshal(c)
}

func scanRecipe(s scanner) (*weir.DeviceRecipe, error) {
	var (
		r                  weir.DeviceRecipe
		id, app, name, doc string
		created, updated   int64
	)
	if err := s.Scan(&id, &app, &name, &doc, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		return nil, fmt.Errorf("decode device recipe %s: %w", id, err)
	}
	r.ID, r.ApplicationID, r.Name = id, app, name
	r.CreationDate, r.LastUpdated = fromMillis(created), fromMillis(updated)
	return &r, nil
}

var _ weir.DeviceRecipeService = (*Store)(nil)
