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

// FindExperienceVersion returns the application's develop version settings,
// the defaults when none are stored.
func (s *Store) FindExperienceVersion(ctx context.Context, applicationID string) (*weir.ExperienceVersion, error) {
	v := &weir.ExperienceVersion{ApplicationID: applicationID, AllowedCorsOrigins: []string{}}
	err := s.d.View(ctx, func(q Querier) error {
		var origins string
		var created, upd int64
		err := q.QueryRowContext(ctx, `SELECT description, endpoint_default_cors, allowed_cors_origins, creation_date, last_updated
			FROM experience_versions WHERE application_id = ?`, applicationID).
			Scan(&v.Description, &v.EndpointDefaultCors, &origins, &created, &upd)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		v.CreationDate, v.LastUpdated = fromMillis(created), fromMillis(upd)
		return json.Unmarshal([]byte(origins), &v.AllowedCorsOrigins)
	})
	if err != nil {
		return nil, fmt.Errorf("find experience version: %w", err)
	}
	return v, nil
}

// UpdateExperienceVersion stores v's settings.
func (s *Store) UpdateExperienceVersion(ctx context.Context, v *weir.ExperienceVersion) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if v.AllowedCorsOrigins == nil {
		v.AllowedCorsOrigins = []string{}
	}
	origins, err := marshal(v.AllowedCorsOrigins)
	if err != nil {
		return err
	}
	err = s.d.Update(ctx, func(q Querier, now time.Time) error {
		var created int64
		err := q.QueryRowContext(ctx, `SELECT creation_date FROM experience_versions WHERE application_id = ?`, v.ApplicationID).Scan(&created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = millis(now)
			_, err = q.ExecContext(ctx, `INSERT INTO experience_versions (application_id, description, endpoint_default_cors,
				allowed_cors_origins, creation_date, last_updated) VALUES (?, ?, ?, ?, ?, ?)`,
				v.ApplicationID, v.Description, v.EndpointDefaultCors, origins, created, millis(now))
			if s.d.IsForeignKey(err) {
				return weir.Errorf(weir.NotFound, "Application was not found")
			}
		case err == nil:
			_, err = q.ExecContext(ctx, `UPDATE experience_versions SET description = ?, endpoint_default_cors = ?,
				allowed_cors_origins = ?, last_updated = ? WHERE application_id = ?`,
				v.Description, v.EndpointDefaultCors, origins, millis(now), v.ApplicationID)
		}
		if err != nil {
			return err
		}
		v.CreationDate, v.LastUpdated = fromMillis(created), now
		return nil
	})
	if err != nil {
		return fmt.Errorf("update experience version: %w", err)
	}
	return nil
}
