package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weirhq/weir"
)

// NodeState returns the state stored under key and whether it exists.
func (db *DB) NodeState(ctx context.Context, flowID, key string) (json.RawMessage, bool, error) {
	var value string
	err := db.rdb.QueryRowContext(ctx, `SELECT value FROM node_state WHERE flow_id = ? AND key = ?`,
		flowID, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("sqlite: node state %q of flow %s: %w", key, flowID, err)
	}
	return json.RawMessage(value), true, nil
}

// SwapNodeState replaces the state under key with next if it is still old.
func (db *DB) SwapNodeState(ctx context.Context, flowID, key string, old, next json.RawMessage) (bool, error) {
	var swapped bool
	err := db.updateLast(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		swapped, err = swapNodeState(ctx, tx, flowID, key, old, next)
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
