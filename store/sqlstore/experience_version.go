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
	v := &weir.ExperienceVersion{ApplicationID: applicationID, AllowedCorsOrigins: []string{}, Globals: []weir.Global{}}
	err := s.d.View(ctx, func(q Querier) error {
		var origins, globals, reply string
		var created, upd int64
		err := q.QueryRowContext(ctx, `SELECT description, endpoint_default_cors, allowed_cors_origins, globals, unauthorized_reply,
			creation_date, last_updated FROM experience_versions WHERE application_id = ?`, applicationID).
			Scan(&v.Description, &v.EndpointDefaultCors, &origins, &globals, &reply, &created, &upd)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		v.CreationDate, v.LastUpdated = fromMillis(created), fromMillis(upd)
		if err := json.Unmarshal([]byte(origins), &v.AllowedCorsOrigins); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(globals), &v.Globals); err != nil {
			return fmt.Errorf("decode globals: %w", err)
		}
		if reply != "" {
			v.UnauthorizedReply = &weir.UnauthorizedReply{}
			if err := json.Unmarshal([]byte(reply), v.UnauthorizedReply); err != nil {
				return fmt.Errorf("decode unauthorized reply: %w", err)
			}
		}
		return nil
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
	if v.Globals == nil {
		v.Globals = []weir.Global{}
	}
	origins, err := marshal(v.AllowedCorsOrigins)
	if err != nil {
		return err
	}
	globals, err := marshal(v.Globals)
	if err != nil {
		return err
	}
	reply := ""
	if v.UnauthorizedReply != nil {
		if reply, err = marshal(v.UnauthorizedReply); err != nil {
			return err
		}
	}
	err = s.d.Update(ctx, func(q Querier, now time.Time) error {
		var created int64
		err := q.QueryRowContext(ctx, `SELECT creation_date FROM experience_versions WHERE application_id = ?`, v.ApplicationID).Scan(&created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = millis(now)
			_, err = q.ExecContext(ctx, `INSERT INTO experience_versions (application_id, description, endpoint_default_cors,
				allowed_cors_origins, globals, unauthorized_reply, creation_date, last_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				v.ApplicationID, v.Description, v.EndpointDefaultCors, origins, globals, reply, created, millis(now))
			if s.d.IsForeignKey(err) {
				return weir.Errorf(weir.NotFound, "Application was not found")
			}
		case err == nil:
			_, err = q.ExecContext(ctx, `UPDATE experience_versions SET description = ?, endpoint_default_cors = ?,
				allowed_cors_origins = ?, globals = ?, unauthorized_reply = ?, last_updated = ? WHERE application_id = ?`,
				v.Description, v.EndpointDefaultCors, origins, globals, reply, millis(now), v.ApplicationID)
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
