package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/weirhq/weir"
)

// CreateKeptResource stores k with a new id.
func (s *Store) CreateKeptResource(ctx context.Context, k *weir.KeptResource) error {
	if err := k.Validate(); err != nil {
		return err
	}
	k.ID = weir.NewID()
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		k.CreationDate, k.LastUpdated = now, now
		_, err := q.ExecContext(ctx, `INSERT INTO kept_resources (id, application_id, kind, name, document, creation_date, last_updated)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, k.ApplicationID, k.Kind, k.Name, string(k.Document), millis(now), millis(now))
		if s.d.IsForeignKey(err) {
			return weir.Errorf(weir.NotFound, "Application was not found")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create %s: %w", k.Kind, err)
	}
	return nil
}

// FindKeptResources returns the application's resources of one kind, in
// the order they were created.
func (s *Store) FindKeptResources(ctx context.Context, applicationID, kind string) ([]*weir.KeptResource, error) {
	var out []*weir.KeptResource
	err := s.d.View(ctx, func(q Querier) error {
		rows, err := q.QueryContext(ctx, `SELECT id, name, document, creation_date, last_updated FROM kept_resources
			WHERE application_id = ? AND kind = ? ORDER BY seq`, applicationID, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k := &weir.KeptResource{ApplicationID: applicationID, Kind: kind}
			var doc string
			var created, updated int64
			if err := rows.Scan(&k.ID, &k.Name, &doc, &created, &updated); err != nil {
				return err
			}
			k.Document, k.CreationDate, k.LastUpdated = []byte(doc), fromMillis(created), fromMillis(updated)
			out = append(out, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find %ss: %w", kind, err)
	}
	return out, nil
}
