package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weirhq/weir"
)

// NodeState returns the state stored under key and whether it exists. Given
// a weir.Effect that a SwapNodeState recorded, it returns the state that
// swap replaced instead.
func (db *DB) NodeState(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	q, args := `SELECT value FROM node_state WHERE flow_id = ? AND key = ?`, []any{flowID, key}
	if e, ok := weir.EffectFromContext(ctx); ok {
		q = `SELECT result FROM effects WHERE run_id = ? AND step = ? AND call = ?
			UNION ALL SELECT value FROM node_state WHERE flow_id = ? AND key = ?
			AND NOT EXISTS (SELECT 1 FROM effects WHERE run_id = ? AND step = ? AND call = ?)`
		call := effectCall("swap", flowID, key)
		args = []any{e.RunID, e.Step, call, flowID, key, e.RunID, e.Step, call}
	}
	var value sql.NullString
	err := db.rdb.QueryRowContext(ctx, q, args...).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !value.Valid {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("sqlite: node state %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(value.String), true, nil
}

// SwapNodeState replaces the state under key with next if it is still old.
// Given a weir.Effect, a swap that succeeds is recorded with the state it
// replaced, and a repeat returns true without swapping again.
func (db *DB) SwapNodeState(ctx context.Context, flowID, key string, old, next json.RawMessage) (bool, error) {
	var swapped bool
	e, ok := weir.EffectFromContext(ctx)
	if !ok {
		err := db.updateLast(ctx, func(ctx context.Context, tx *Tx) (err error) {
			swapped, err = swapNodeState(ctx, tx, flowID, key, old, next)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("sqlite: swap node state %q of flow %s: %w", key, flowID, err)
		}
		return swapped, nil
	}
	call := effectCall("swap", flowID, key)
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		rec, err := recordedEffect(ctx, tx, e)
		if err != nil {
			return err
		}
		if rec != nil && rec.call == call {
			swapped = true
			return nil
		}
		if swapped, err = swapNodeState(ctx, tx, flowID, key, old, next); err != nil || !swapped || rec != nil {
			return err
		}
		var replaced *string
		if old != nil {
			o := string(old)
			replaced = &o
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO effects (run_id, step, call, result, time) VALUES (?, ?, ?, ?, ?)`,
			e.RunID, e.Step, call, replaced, millis(tx.now))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: swap node state %q of flow %s: %w", key, flowID, err)
	}
	return swapped, nil
}

func swapNodeState(ctx context.Context, tx *Tx, flowID, key string, old, next json.RawMessage) (bool, error) {
	var res sql.Result
	var err error
	switch {
	case old == nil && next == nil:
		var n int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM node_state WHERE flow_id = ? AND key = ?`, flowID, key).Scan(&n)
		return n == 0, err
	case old == nil:
		res, err = tx.ExecContext(ctx, `INSERT INTO node_state (flow_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (flow_id, key) DO NOTHING`, flowID, key, string(next))
		if isForeignKey(err) {
			return false, errFlowNotFound()
		}
	case next == nil:
		res, err = tx.ExecContext(ctx, `DELETE FROM node_state WHERE flow_id = ? AND key = ? AND value = ?`,
			flowID, key, string(old))
	default:
		res, err = tx.ExecContext(ctx, `UPDATE node_state SET value = ? WHERE flow_id = ? AND key = ? AND value = ?`,
			string(next), flowID, key, string(old))
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

var _ weir.NodeStateService = (*DB)(nil)
