package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/weirhq/weir"
)

// StorageEntries returns every key of the flow's storage with its value; a
// flow without storage, or a missing flow, has none.
func (db *DB) StorageEntries(ctx context.Context, flowID string) (map[string]json.RawMessage, error) {
	entries := map[string]json.RawMessage{}
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT key, value FROM storage WHERE flow_id = ?`, flowID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key, value string
			if err := rows.Scan(&key, &value); err != nil {
				return err
			}
			entries[key] = json.RawMessage(value)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: storage entries of flow %s: %w", flowID, err)
	}
	return entries, nil
}

// StorageEntry returns the value of key and whether it exists.
func (db *DB) StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	var value string
	err := db.rdb.QueryRowContext(ctx, `SELECT value FROM storage WHERE flow_id = ? AND key = ?`,
		flowID, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("sqlite: storage entry %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(value), true, nil
}

// SetStorageEntry creates or replaces key with value, compacted. It returns
// Validation if value is not JSON and NotFound if the flow does not exist.
func (db *DB) SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error {
	v, err := compactJSON(value)
	if err != nil {
		return err
	}
	_, err = db.write(ctx, effectCall("set", flowID, key), false, func(ctx context.Context, tx *Tx) (*string, error) {
		return nil, setStorageEntry(ctx, tx, flowID, key, v)
	})
	if err != nil {
		return fmt.Errorf("sqlite: set storage entry %q of flow %s: %w", key, flowID, err)
	}
	return nil
}

// DeleteStorageEntry removes key and returns its previous value, or nil when
// it did not exist.
func (db *DB) DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error) {
	prev, err := db.write(ctx, effectCall("delete", flowID, key), true, func(ctx context.Context, tx *Tx) (*string, error) {
		var value string
		err := tx.QueryRowContext(ctx, `DELETE FROM storage WHERE flow_id = ? AND key = ? RETURNING value`,
			flowID, key).Scan(&value)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		return &value, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete storage entry %q of flow %s: %w", key, flowID, err)
	}
	if prev == nil {
		return nil, nil
	}
	return json.RawMessage(*prev), nil
}

// IncrStorageEntry atomically adds delta to the number at key (absent counts
// as 0) and returns the sum. It returns Validation if the stored value is not
// a number and NotFound if the flow does not exist.
func (db *DB) IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error) {
	res, err := db.write(ctx, effectCall("incr", flowID, key), false, func(ctx context.Context, tx *Tx) (*string, error) {
		return incrStorageEntry(ctx, tx, flowID, key, delta)
	})
	var sum float64
	if err == nil && res == nil {
		err = errors.New("no sum recorded")
	} else if err == nil {
		sum, err = parseNumber(*res)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: increment storage entry %q of flow %s: %w", key, flowID, err)
	}
	return sum, nil
}

// ClearStorageEntries removes every key of the flow's storage.
func (db *DB) ClearStorageEntries(ctx context.Context, flowID string) error {
	_, err := db.write(ctx, effectCall("clear", flowID, ""), true, func(ctx context.Context, tx *Tx) (*string, error) {
		_, err := tx.ExecContext(ctx, `DELETE FROM storage WHERE flow_id = ?`, flowID)
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("sqlite: clear storage of flow %s: %w", flowID, err)
	}
	return nil
}

// StorageMetadata counts the flow's keys and the bytes of keys and values.
func (db *DB) StorageMetadata(ctx context.Context, flowID string) (weir.StorageMetadata, error) {
	var m weir.StorageMetadata
	err := db.rdb.QueryRowContext(ctx, `
		SELECT COUNT(*), COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0)
		FROM storage WHERE flow_id = ?`, flowID).Scan(&m.KeysCount, &m.MemoryUsed)
	if err != nil {
		return m, fmt.Errorf("sqlite: storage metadata of flow %s: %w", flowID, err)
	}
	return m, nil
}

// setStorageEntry stores value at key, unless key is new and the flow has
// no room for another key.
func setStorageEntry(ctx context.Context, tx *Tx, flowID, key, value string) error {
	if err := checkKeyRoom(ctx, tx, flowID, key); err != nil {
		return err
	}
	return putStorageEntry(ctx, tx, flowID, key, value)
}

// putStorageEntry stores value at key without checking the key cap, for a
// key the transaction found stored.
func putStorageEntry(ctx context.Context, tx *Tx, flowID, key, value string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO storage (flow_id, key, value) VALUES (?, ?, ?)
		ON CONFLICT (flow_id, key) DO UPDATE SET value = excluded.value`, flowID, key, value)
	if isForeignKey(err) {
		return errFlowNotFound()
	}
	return err
}

// incrStorageEntry adds delta to the number at key and returns the sum as
// stored, JSON text.
func incrStorageEntry(ctx context.Context, tx *Tx, flowID, key string, delta float64) (*string, error) {
	var value string
	err := tx.QueryRowContext(ctx, `SELECT value FROM storage WHERE flow_id = ? AND key = ?`,
		flowID, key).Scan(&value)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var n float64
	found := err == nil
	if found {
		if n, err = parseNumber(value); err != nil {
			return nil, err
		}
	}
	n += delta
	b, err := json.Marshal(n)
	if err != nil {
		return nil, weir.Errorf(weir.Validation, "Stored value would not be a finite number")
	}
	sum := string(b)
	if found {
		return &sum, putStorageEntry(ctx, tx, flowID, key, sum) // not a new key: the cap cannot refuse it
	}
	return &sum, setStorageEntry(ctx, tx, flowID, key, sum)
}

// parseNumber returns the JSON number value holds, or Validation.
func parseNumber(value string) (float64, error) {
	if value == "" || !(value[0] == '-' || '0' <= value[0] && value[0] <= '9') {
		return 0, weir.Errorf(weir.Validation, "Stored value is not a number")
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return 0, weir.Errorf(weir.Validation, "Stored value is not a number")
	}
	return n, nil
}

// compactJSON returns value as compact JSON text, or Validation.
func compactJSON(value json.RawMessage) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, value); err != nil {
		return "", weir.Errorf(weir.Validation, "Storage value must be JSON")
	}
	return buf.String(), nil
}

// checkKeyRoom returns Validation when key is new and the flow already has
// as many keys as the database allows. It runs in the write transaction, so
// the cap holds exactly; the count is only taken for a new key.
func checkKeyRoom(ctx context.Context, tx *Tx, flowID, key string) error {
	max := tx.db.maxStorageKeys()
	if max <= 0 {
		return nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `
		SELECT CASE WHEN EXISTS (SELECT 1 FROM storage WHERE flow_id = ? AND key = ?) THEN 0
		ELSE (SELECT COUNT(*) FROM storage WHERE flow_id = ?) END`, flowID, key, flowID).Scan(&n)
	if err != nil {
		return err
	}
	if n >= max {
		return weir.Errorf(weir.Validation, "Flow storage is limited to %d keys; delete or clear keys before adding new ones", max)
	}
	return nil
}
