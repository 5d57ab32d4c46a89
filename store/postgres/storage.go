package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/weirhq/weir"
)

// StorageEntries returns every key of the flow's storage with its value; a
// flow without storage, or a missing flow, has none.
func (db *DB) StorageEntries(ctx context.Context, flowID string) (map[string]json.RawMessage, error) {
	entries := map[string]json.RawMessage{}
	rows, err := db.pool.Query(ctx, `SELECT key, value FROM storage WHERE flow_id = $1`, flowID)
	if err == nil {
		var key, value string
		_, err = pgx.ForEachRow(rows, []any{&key, &value}, func() error {
			entries[key] = json.RawMessage(value)
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: storage entries of flow %s: %w", flowID, err)
	}
	return entries, nil
}

// StorageEntry returns the value of key and whether it exists.
func (db *DB) StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	var value string
	err := db.pool.QueryRow(ctx, `SELECT value FROM storage WHERE flow_id = $1 AND key = $2`,
		flowID, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("postgres: storage entry %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(value), true, nil
}

// SetStorageEntry creates or replaces key with value, compacted. It returns
// Validation if value is not JSON and NotFound if the flow does not exist.
func (db *DB) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	v, err := compactJSON(value)
	if err == nil {
		const q = `INSERT INTO storage (flow_id, key, value) SELECT $1, $2, $3 WHERE ` + keyRoom + `
			ON CONFLICT (flow_id, key) DO UPDATE SET value = excluded.value`
		written := true
		if e, ok := weir.EffectFromContext(ctx); ok {
			_, written, err = db.writeEffect(ctx, e, effectCall("set", flowID, key), q+` RETURNING NULL::text AS r`, true, flowID, key, v, db.maxStorageKeys())
		} else {
			var tag pgconn.CommandTag
			tag, err = db.pool.Exec(ctx, q, flowID, key, v, db.maxStorageKeys())
			written = tag.RowsAffected() > 0
		}
		if isForeignKey(err) {
			err = errFlowNotFound()
		} else if err == nil && !written {
			err = db.errKeyCap()
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: set storage entry %q of flow %s: %w", key, flowID, err)
	}
	return nil
}

// DeleteStorageEntry removes key and returns its previous value, or nil when
// it did not exist.
func (db *DB) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	const q = `DELETE FROM storage WHERE flow_id = $1 AND key = $2 RETURNING value AS r`
	var prev *string
	var err error
	if e, ok := weir.EffectFromContext(ctx); ok {
		prev, _, err = db.writeEffect(ctx, e, effectCall("delete", flowID, key), q, false, flowID, key)
	} else if err = db.pool.QueryRow(ctx, q, flowID, key).Scan(&prev); errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: delete storage entry %q of flow %s: %w", key, flowID, err)
	}
	if prev == nil {
		return nil, nil
	}
	return json.RawMessage(*prev), nil
}

// IncrStorageEntry atomically adds delta to the number at key (absent counts
// as 0) and returns the sum, in one statement, so increments from any number
// of processes add up. Given a weir.Effect, it adds at most once per effect. It returns Validation if the stored value is not a
// number or the sum is not finite, and NotFound if the flow does not exist.
func (db *DB) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	sum, err := db.incrStorageEntry(ctx, flowID, key, delta)
	if err != nil {
		return 0, fmt.Errorf("postgres: increment storage entry %q of flow %s: %w", key, flowID, err)
	}
	return sum, nil
}

// ClearStorageEntries removes every key of the flow's storage.
func (db *DB) ClearStorageEntries(ctx context.Context, flowID string) error {
	const q = `DELETE FROM storage WHERE flow_id = $1`
	var err error
	if e, ok := weir.EffectFromContext(ctx); ok {
		_, _, err = db.writeEffect(ctx, e, effectCall("clear", flowID, ""), q+` RETURNING NULL::text AS r`, false, flowID)
	} else {
		_, err = db.pool.Exec(ctx, q, flowID)
	}
	if err != nil {
		return fmt.Errorf("postgres: clear storage of flow %s: %w", flowID, err)
	}
	return nil
}

// StorageMetadata counts the flow's keys and the bytes of keys and values.
func (db *DB) StorageMetadata(ctx context.Context, flowID string) (weir.StorageMetadata, error) {
	var m weir.StorageMetadata
	err := db.pool.QueryRow(ctx, `
		SELECT count(*), COALESCE(sum(octet_length(key) + octet_length(value)), 0)
		FROM storage WHERE flow_id = $1`, flowID).Scan(&m.KeysCount, &m.MemoryUsed)
	if err != nil {
		return m, fmt.Errorf("postgres: storage metadata of flow %s: %w", flowID, err)
	}
	return m, nil
}

// incrStorageEntry inserts delta as the value of an absent key, or adds it
// to a stored JSON number (text starting with '-' or a digit, as compact
// JSON numbers do) in double precision, spelled as Go would spell it. A
// stored value that is no number leaves the row alone and returns no row.
func (db *DB) incrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	if math.IsInf(delta, 0) || math.IsNaN(delta) {
		return 0, errNotFinite()
	}
	initial, err := json.Marshal(delta)
	if err != nil {
		return 0, errNotFinite()
	}
	const q = `
		INSERT INTO storage AS s (flow_id, key, value) SELECT $1, $2, $3 WHERE ` + keyRoomIncr + `
		ON CONFLICT (flow_id, key) DO UPDATE SET value = weir_json_number(s.value::double precision + $4)
		WHERE s.value ~ '^-?[0-9]'
		RETURNING value AS r`
	var value *string
	if e, ok := weir.EffectFromContext(ctx); ok {
		var found bool
		if value, found, err = db.writeEffect(ctx, e, effectCall("incr", flowID, key), q, true, flowID, key, string(initial), delta, db.maxStorageKeys()); err == nil && !found {
			err = pgx.ErrNoRows
		}
	} else {
		err = db.pool.QueryRow(ctx, q, flowID, key, string(initial), delta, db.maxStorageKeys()).Scan(&value)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// Nothing written: the stored value is not a number, or the key is
		// new and the flow's storage is full.
		var exists bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM storage WHERE flow_id = $1 AND key = $2)`, flowID, key).Scan(&exists); err != nil {
			return 0, err
		}
		if !exists {
			return 0, db.errKeyCap()
		}
		return 0, errNotNumber()
	case isForeignKey(err):
		return 0, errFlowNotFound()
	case pgCode(err) == codeOutOfRange:
		// Either the stored number is beyond double precision (the cast
		// fails) or the sum is (the addition overflows).
		if pgErrorMessageContains(err, "out of range for type") {
			return 0, errNotNumber()
		}
		return 0, errNotFinite()
	case err != nil:
		return 0, err
	}
	if value == nil {
		return 0, fmt.Errorf("decode sum: no value")
	}
	sum, err := strconv.ParseFloat(*value, 64)
	if err != nil {
		return 0, fmt.Errorf("decode sum %q: %w", *value, err)
	}
	return sum, nil
}

func errNotNumber() error {
	return weir.Errorf(weir.Validation, "Stored value is not a number")
}

func errNotFinite() error {
	return weir.Errorf(weir.Validation, "Stored value would not be a finite number")
}

// pgErrorMessageContains reports whether err is a server error whose message
// contains s.
func pgErrorMessageContains(err error, s string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && strings.Contains(e.Message, s)
}

// compactJSON returns value as compact JSON text, or Validation.
func compactJSON(value json.RawMessage) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil {
		return "", weir.Errorf(weir.Validation, "Storage value must be JSON")
	}
	return buf.String(), nil
}

// keyRoom is the condition under which SetStorageEntry ($1 flow, $2 key,
// $4 cap) may write: no cap, the key exists, or the flow has room for a new
// key. keyRoomIncr is the same with the cap in $5. Under concurrent writers
// of new keys to one flow the count may overshoot the cap by a few.
const (
	keyRoom     = `($4::int <= 0 OR EXISTS (SELECT 1 FROM storage WHERE flow_id = $1 AND key = $2) OR (SELECT COUNT(*) FROM storage WHERE flow_id = $1) < $4::int)`
	keyRoomIncr = `($5::int <= 0 OR EXISTS (SELECT 1 FROM storage WHERE flow_id = $1 AND key = $2) OR (SELECT COUNT(*) FROM storage WHERE flow_id = $1) < $5::int)`
)

// maxStorageKeys is the cap on keys per flow in force; 0 for none.
func (db *DB) maxStorageKeys() int { return weir.StorageKeyCap(db.MaxStorageKeys) }

// errKeyCap is the error of a new key past the cap.
func (db *DB) errKeyCap() error {
	return weir.Errorf(weir.Validation, "Flow storage is limited to %d keys; delete or clear keys before adding new ones", db.maxStorageKeys())
}
