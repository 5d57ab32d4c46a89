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

const keyColumns = `id, application_id, key, secret_hash, status, description, device_ids, device_tags,
	filter_type, pub_topics, sub_topics, creation_date, last_updated`

// keyList is what access keys may be sorted and filtered by.
var keyList = listSpec{
	sort: map[string]string{"": "key", "key": "key", "status": "status", "id": "id",
		"creationDate": "creation_date", "lastUpdated": "last_updated"},
	filter:      map[string]string{"": "key", "key": "key", "status": "status"},
	sortNames:   "key, status, id, creationDate, lastUpdated",
	filterNames: "key or status",
}

// FindApplicationKeyByID returns the application's key with id, or
// NotFound; an empty applicationID matches any application.
func (s *Store) FindApplicationKeyByID(ctx context.Context, applicationID, id string) (*weir.ApplicationKey, error) {
	var k *weir.ApplicationKey
	err := s.d.View(ctx, func(q Querier) (err error) {
		if applicationID == "" {
			k, err = findKey(ctx, q, `id = ?`, id)
			return err
		}
		k, err = findKey(ctx, q, `id = ? AND application_id = ?`, id, applicationID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find application key %s: %w", id, err)
	}
	return k, nil
}

// FindApplicationKeyByKey returns the key whose public part is key, or
// NotFound.
func (s *Store) FindApplicationKeyByKey(ctx context.Context, key string) (*weir.ApplicationKey, error) {
	k, err := viewOne(ctx, s, func(q Querier) (*weir.ApplicationKey, error) { return findKey(ctx, q, `key = ?`, key) })
	if err != nil {
		return nil, fmt.Errorf("find application key by key: %w", err)
	}
	return k, nil
}

// FindApplicationKeys returns one page of the application's keys and how
// many match the filter.
func (s *Store) FindApplicationKeys(ctx context.Context, filter weir.ApplicationKeyFilter) ([]*weir.ApplicationKey, int, error) {
	cond, args, tail, tailArgs, err := s.listClause(filter.ListOptions, keyList,
		[]string{"application_id = ?"}, []any{filter.ApplicationID})
	if err != nil {
		return nil, 0, err
	}
	ks, n, err := findPage(ctx, s, "application_keys", keyColumns, cond, args, tail, tailArgs, scanKey)
	if err != nil {
		return nil, 0, fmt.Errorf("find application keys: %w", err)
	}
	return ks, n, nil
}

// CreateApplicationKey stores k, generating its ID when empty.
func (s *Store) CreateApplicationKey(ctx context.Context, k *weir.ApplicationKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	id := k.ID
	if id == "" {
		id = weir.NewID()
	}
	var now time.Time
	err := s.d.Update(ctx, func(q Querier, at time.Time) error {
		now = at
		lists, err := encodeKeyLists(k)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO application_keys (`+keyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, k.ApplicationID, k.Key, k.SecretHash, k.Status, k.Description, lists[0], lists[1],
			k.FilterType, lists[2], lists[3], millis(now), millis(now))
		switch {
		case s.d.IsForeignKey(err):
			return weir.Errorf(weir.NotFound, "Application was not found")
		case s.d.IsUnique(err):
			return weir.Errorf(weir.Validation, "Application key is already in use")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create application key: %w", err)
	}
	k.ID, k.CreationDate, k.LastUpdated = id, now, now
	return nil
}

// UpdateApplicationKey replaces the key's status, description, filter type
// and topics.
func (s *Store) UpdateApplicationKey(ctx context.Context, k *weir.ApplicationKey) error {
	err := s.d.Update(ctx, func(q Querier, now time.Time) error {
		old, err := findKey(ctx, q, `id = ? AND application_id = ?`, k.ID, k.ApplicationID)
		if err != nil {
			return err
		}
		k.Key, k.SecretHash, k.DeviceIDs, k.DeviceTags = old.Key, old.SecretHash, old.DeviceIDs, old.DeviceTags
		k.CreationDate, k.LastUpdated = old.CreationDate, now
		if err := k.Validate(); err != nil {
			return err
		}
		lists, err := encodeKeyLists(k)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE application_keys SET status = ?, description = ?, filter_type = ?,
			pub_topics = ?, sub_topics = ?, last_updated = ? WHERE id = ?`,
			k.Status, k.Description, k.FilterType, lists[2], lists[3], millis(now), k.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("update application key %s: %w", k.ID, err)
	}
	return nil
}

// DeleteApplicationKey removes the key.
func (s *Store) DeleteApplicationKey(ctx context.Context, applicationID, id string) error {
	err := s.d.Update(ctx, func(q Querier, _ time.Time) error {
		return execOne(ctx, q, errKeyNotFound, `DELETE FROM application_keys WHERE id = ? AND application_id = ?`, id, applicationID)
	})
	if err != nil {
		return fmt.Errorf("delete application key %s: %w", id, err)
	}
	return nil
}

func errKeyNotFound() error { return weir.Errorf(weir.NotFound, "Application key was not found") }

func findKey(ctx context.Context, q Querier, cond string, args ...any) (*weir.ApplicationKey, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM application_keys WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errKeyNotFound()
	}
	return k, err
}

// encodeKeyLists returns the JSON of the key's device ids, device tags, pub
// topics and sub topics.
func encodeKeyLists(k *weir.ApplicationKey) ([4]string, error) {
	var out [4]string
	for i, v := range []any{k.DeviceIDs, k.DeviceTags, k.PubTopics, k.SubTopics} {
		s, err := marshal(v)
		if err != nil {
			return out, err
		}
		out[i] = s
	}
	return out, nil
}

func scanKey(s scanner) (*weir.ApplicationKey, error) {
	var (
		k                     weir.ApplicationKey
		ids, tags, pubs, subs string
		created, updated      int64
	)
	if err := s.Scan(&k.ID, &k.ApplicationID, &k.Key, &k.SecretHash, &k.Status, &k.Description, &ids, &tags,
		&k.FilterType, &pubs, &subs, &created, &updated); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		src string
		dst any
	}{{ids, &k.DeviceIDs}, {tags, &k.DeviceTags}, {pubs, &k.PubTopics}, {subs, &k.SubTopics}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, fmt.Errorf("decode application key: %w", err)
		}
	}
	k.CreationDate, k.LastUpdated = fromMillis(created), fromMillis(updated)
	return &k, nil
}

var _ weir.ApplicationKeyService = (*Store)(nil)
